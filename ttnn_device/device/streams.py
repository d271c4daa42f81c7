"""Streams and events of ``torch.ttnn``, with torch.cuda's names and signatures.

Both backends run a device's ops in one in-order command queue (the reference device computes each op
when it is called), so the streams of a device are names on that queue: making one current, recording
and waiting on events all work as on CUDA, but ops on two streams never run concurrently. The hardware
backend also has a transfer queue for non-blocking uploads from pinned memory: ``query()`` is False while
it holds work, and ``synchronize()`` and event records wait for it. Events are timed on the host once the
work queued before them has finished, so ``elapsed_time`` measures device time on both backends.
"""

from __future__ import annotations

import torch

from .. import _C
from ._index import device_index


def _index(device):
    return device_index(device, optional=True, default=_C._get_device())


class Stream(torch.Stream):
    """A stream of a ttnn device: ``torch.ttnn.Stream(device=None, priority=0)``. ``query()``,
    ``synchronize()``, ``wait_event()``, ``wait_stream()``, ``record_event()`` and ``with stream:`` come
    from ``torch.Stream``."""

    def __new__(cls, device=None, priority=0, **kwargs):
        if kwargs:  # stream_id, device_index, device_type: a handle to an existing stream
            return super().__new__(cls, priority=priority, **kwargs)
        return super().__new__(cls, device=torch.device("ttnn", _index(device)), priority=priority)

    def __eq__(self, other):
        return isinstance(other, torch.Stream) and super().__eq__(other)

    def __hash__(self):
        return hash((self.stream_id, self.device_index, self.device_type))


def _as_ttnn_stream(stream: torch.Stream) -> Stream:
    return Stream(stream_id=stream.stream_id, device_index=stream.device_index, device_type=stream.device_type)


class _EventType(type):
    # torch.Event's methods take only torch.Event itself as the other event (not a subclass), so ttnn
    # events are plain torch.Events of the ttnn device, and this class recognises them.
    def __instancecheck__(cls, obj):
        return isinstance(obj, torch.Event) and obj.device.type == "ttnn"


class Event(metaclass=_EventType):
    """A ttnn event: ``torch.ttnn.Event(enable_timing=False, blocking=False, interprocess=False)`` gives a
    ``torch.Event`` of the ttnn device, with ``record(stream=None)``, ``query()``, ``synchronize()``,
    ``wait(stream=None)`` and ``elapsed_time(end_event)`` (milliseconds; both events made with
    ``enable_timing=True``)."""

    def __new__(cls, enable_timing=False, blocking=False, interprocess=False):
        if interprocess:
            raise RuntimeError("ttnn events cannot be shared between processes (interprocess=True)")
        return torch.Event(device="ttnn", enable_timing=enable_timing, blocking=blocking)


def current_stream(device=None) -> Stream:
    """The calling thread's current stream of ``device`` (default: the current device)."""
    return _as_ttnn_stream(torch.accelerator.current_stream(_index(device)))


def default_stream(device=None) -> Stream:
    """The default stream of ``device`` (default: the current device): stream id 0."""
    current = torch.accelerator.current_stream(_index(device))
    return Stream(stream_id=0, device_index=current.device_index, device_type=current.device_type)


def set_stream(stream: torch.Stream | None) -> None:
    """Makes ``stream`` current for its device on this thread (None: no change)."""
    if stream is not None:
        torch.accelerator.set_stream(stream)


class StreamContext:
    """``with torch.ttnn.stream(s):`` makes ``s`` current (and its device current) inside the block and
    restores both after; ``None`` makes it do nothing."""

    def __init__(self, stream: torch.Stream | None):
        self.stream = stream
        self.saved: list[torch.Stream] = []
        self.previous_device = -1

    def __enter__(self):
        if self.stream is None:
            return self.stream
        self.previous_device = _C._get_device()
        self.saved = [torch.accelerator.current_stream(self.previous_device)]
        if self.stream.device_index != self.previous_device:
            self.saved.append(torch.accelerator.current_stream(self.stream.device_index))
            _C._set_device(self.stream.device_index)
        torch.accelerator.set_stream(self.stream)
        return self.stream

    def __exit__(self, *exc):
        if self.stream is None:
            return False
        for saved in reversed(self.saved):
            torch.accelerator.set_stream(saved)
        _C._set_device(self.previous_device)
        return False


def stream(stream: torch.Stream | None) -> StreamContext:
    return StreamContext(stream)
