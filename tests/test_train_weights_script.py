"""scripts/train_weights.sh, the recipe of the shipped weights, runs end to end with tiny settings."""
import os
import subprocess
from pathlib import Path

from mmkit.pretrained import load_pretrained

ROOT = Path(__file__).resolve().parents[1]


def test_recipe_trains_proxy_student_ablation_and_exports(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PROXY_STEPS": "1", "STUDENT_STEPS": "1", "SIZE": "32",
           "BATCH": "1", "RUNS": str(tmp_path / "runs"), "WEIGHTS": str(tmp_path / "weights"),
           "MMKIT": str(Path(os.sys.executable).parent / "mmkit"), "PYTHON": os.sys.executable}
    subprocess.run(["bash", str(ROOT / "scripts" / "train_weights.sh"), "light"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=600)
    for run in ("light_proxy", "light_student", "light_no_lm"):
        assert (tmp_path / "runs" / run / "checkpoint.pt").exists()
    assert load_pretrained("light", tmp_path / "weights").cfg.channels == 8
