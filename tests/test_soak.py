"""Long runs, bounded for the default run (benchmarks/soak.py runs the longer version): 1000 forwards and 200
training steps of a small model, device memory back to its baseline after every step, host RSS flat after
warm-up (growth under 5%), the results equal to the CPU's throughout (ttnn_device/testing/soak.py)."""


def test_soak_forwards_and_training_steps(run_py):
    proc = run_py("from ttnn_device.testing import soak; soak.run(forwards=1000, steps=200)", timeout=300)
    assert "device memory at baseline after each" in proc.stdout
