"""The zoo harness: the pieces `benchmarks.measure` (one model, in-process) and `benchmarks.run_zoo` (the
whole zoo, one subprocess per model) are built from. Each module holds one concern."""
