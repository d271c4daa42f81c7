"""Smoke test of the zoo: the one command, on the "quick" models at float32, into a temporary directory.

The quick models are the zoo's own once its family modules define some; before that, the harness's test
specs (tests/zoo_test_specs.py) stand in, selected by the same tag.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEST_SPECS = REPO / "tests" / "zoo_test_specs.py"


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def _quick_models():
    """(names of the quick models, --specs source or None for the zoo). Asked in a child process: importing
    every zoo family (transformers, timm, ultralytics) has no business in the test process."""
    probe = ("import json, sys; from benchmarks.harness import catalog\n"
             "src = None if any('quick' in s.tags for s in catalog.load().values()) else sys.argv[1]\n"
             "print(json.dumps([src, [s.name for s in catalog.select(['quick'], src)]]))")
    out = subprocess.run([sys.executable, "-c", probe, str(TEST_SPECS)], env=_env(), cwd=REPO, capture_output=True,
                         text=True, timeout=300, check=True)
    source, names = json.loads(out.stdout.strip().splitlines()[-1])
    return names, source


def test_quick_models_run_and_agree_with_the_cpu(tmp_path):
    names, source = _quick_models()
    assert names
    out, md = tmp_path / "zoo.json", tmp_path / "models.md"
    cmd = [sys.executable, "-m", "benchmarks.run_zoo", "quick", "--dtypes", "float32", "--timeout", "150",
           "--runs", "1", "--out", str(out), "--markdown", str(md)] + (["--specs", source] if source else [])
    proc = subprocess.run(cmd, env=_env(), cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ttnn zoo: ") and f"{len(names)} models" in proc.stdout

    document = json.loads(out.read_text())
    assert [m["name"] for m in document["models"]] == names
    for model in document["models"]:
        row = model["rows"]["float32"]
        assert row["status"] in ("✅", "🚧"), (model["name"], row.get("error"))
        assert row["pcc"] >= 0.999, (model["name"], row["pcc"])
        assert row["ttnn_samples_per_s"] > 0 and row["aten_calls"] > 0
        if model.get("train"):
            assert model["train"]["status"] != "❌", (model["name"], model["train"].get("error"))

    table = md.read_text()
    for name in names:
        assert f"| {name} | float32 | " in table
    assert "## Notes" in table
