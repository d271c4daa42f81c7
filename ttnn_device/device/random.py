"""Random number generation state of ttnn devices, as torch.cuda's random module."""

import torch

from .. import _C
from ._index import device_index


def _generator(device):
    return _C._default_generator(device_index(device, optional=True, default=_C._get_device()))


def _all():
    return [_C._default_generator(i) for i in range(_C._device_count())]


def manual_seed(seed):
    _generator(None).manual_seed(int(seed))


def manual_seed_all(seed):
    for generator in _all():
        generator.manual_seed(int(seed))


def seed():
    _generator(None).seed()


def seed_all():
    for generator in _all():
        generator.seed()


def initial_seed():
    return _generator(None).initial_seed()


def get_rng_state(device="ttnn"):
    return _generator(device).get_state()


def set_rng_state(new_state, device="ttnn"):
    if not isinstance(new_state, torch.Tensor) or new_state.dtype != torch.uint8:
        raise TypeError("set_rng_state expects a torch.ByteTensor as returned by get_rng_state")
    _generator(device).set_state(new_state.cpu())


def get_rng_state_all():
    return [generator.get_state() for generator in _all()]


def set_rng_state_all(new_states):
    for generator, state in zip(_all(), new_states):
        generator.set_state(state.cpu())
