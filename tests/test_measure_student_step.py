"""scripts/measure_student_step.py end to end on a tiny student run and a tiny pair cache."""
import re
from dataclasses import replace

from helpers import load_script
from mmkit.data.cache import build_cache
from mmkit.data.pairs import DataConfig
from mmkit.losses import LossWeights
from mmkit.train import TrainConfig, train



def test_times_the_runs_step_rendered_and_cached(tmp_path, capsys):
    tiny = TrainConfig(steps=1, batch_size=2, data=DataConfig(size=32), dataset_size=8, checkpoint_every=1,
                       weights=LossWeights(perceptual=0.0))
    train(tiny, tmp_path / "proxy", progress=False)
    train(replace(tiny, stage="student", proxy_checkpoint=str(tmp_path / "proxy" / "checkpoint.pt")),
          tmp_path / "student", progress=False)
    build_cache(tmp_path / "cache", tiny.data, 8, workers=1)
    module = load_script("measure_student_step")
    module.main([str(tmp_path / "student"), "--cache", str(tmp_path / "cache"), "--steps", "1", "--rounds", "2",
                 "--parts"])
    out = capsys.readouterr().out.splitlines()
    rows = [m for m in (re.match(r"(.+?)\s+([\d.]+) steps/s  x([\d.]+)  \(rounds: (.+)\)$", line) for line in out)
            if m]
    assert [m[1] for m in rows] == ["rendered on the fly", "read from the cache"]
    assert float(rows[0][3]) == 1.0 and all(len(m[4].split(", ")) == 2 for m in rows)
    rendered, cached = (float(m[2]) for m in rows)
    assert abs(cached / rendered - float(rows[1][3])) <= 0.02  # the ratio is of the two (rounded) rates
    shares = {m[1]: float(m[3]) for m in (re.match(r"  (\w+)\s+([\d.]+) s\s+([\d.]+) %$", line) for line in out)
              if m}
    assert set(shares) == {p.removeprefix("mmkit.") for p in module.PARTS}  # every part, the proxy included
    assert abs(sum(shares.values()) - 100) < 0.5 and shares["backward"] > 0 and shares["proxy"] > 0


def test_compile_adds_a_compiled_variant_of_each(tmp_path, capsys):
    tiny = TrainConfig(steps=1, batch_size=2, data=DataConfig(size=32), checkpoint_every=1,
                       weights=LossWeights(perceptual=0.0, proxy=0.0), stage="student")
    train(tiny, tmp_path / "run", progress=False)
    module = load_script("measure_student_step")
    module.main([str(tmp_path / "run"), "--compile", "--steps", "1", "--rounds", "1"])
    rows = [m for m in (re.match(r"(.+?)\s+([\d.]+) steps/s  x([\d.]+)", line)
                        for line in capsys.readouterr().out.splitlines()) if m]
    assert [m[1] for m in rows] == ["rendered on the fly", "rendered on the fly, compiled"]
    assert all(float(m[2]) > 0 for m in rows)
