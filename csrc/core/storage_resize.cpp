#include "core/storage_resize.h"

#include <c10/core/DeviceGuard.h>

#include "core/caching_allocator.h"

namespace ttnn_device::core {

void resize_storage_bytes(const c10::Storage& storage, size_t new_bytes) {
  TORCH_CHECK(storage.resizable(), "Trying to resize a ttnn storage that is not resizable");
  c10::StorageImpl* impl = storage.unsafeGetStorageImpl();
  const size_t old_bytes = impl->nbytes();
  if (new_bytes == old_bytes) return;
  c10::DeviceGuard guard(storage.device());
  c10::DataPtr fresh = impl->allocator()->allocate(new_bytes);
  const size_t keep = std::min(old_bytes, new_bytes);
  if (keep > 0) caching_allocator().copy_data(fresh.get(), impl->data(), keep);
  impl->set_data_ptr_noswap(std::move(fresh));
  impl->set_nbytes(new_bytes);
}

}  // namespace ttnn_device::core
