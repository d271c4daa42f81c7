"""Benchmarks for ttnn_device: the model zoo and its per-model report, microbenchmarks, accuracy cases."""
