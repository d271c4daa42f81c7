"""Test support for ttnn_device (not used by the device itself)."""
