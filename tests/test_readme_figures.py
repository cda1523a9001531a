"""The figures typed into the READMEs agree with the files that the repo's commands wrote.

The README's circles table and data/runs/README.md's table of runs are written by hand from
`mmkit evaluate`'s output (data/runs/evaluation.txt) and the runs' loss logs; when a run is continued and
re-scored, these tests fail until the tables say the same again.
"""
import re
from pathlib import Path

import pytest

from mmkit.plots import read_loss_log

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "data" / "runs"

#: README row label (its start) -> run folder
README_ROWS = {"light student (shipped": "light_student", "light student at 23,000": "light_student_23000",
               "light without L_M": "light_no_lm",
               "light student at 38,000": "light_student_38000", "no L_M at 38,000": "light_no_lm_38000",
               "light student at 57,000": "light_student_57000", "no L_M at 57,000": "light_no_lm_57000",
               "light student at 78,000": "light_student_78000", "no L_M at 78,000": "light_no_lm_78000",
               "no L_M at 96,000": "light_no_lm_long",
               "light proxy (clean": "light_proxy",
               "light proxy, continued": "light_proxy_long", "L_M switched on at 23,000": "light_branch_lm",
               "no L_M, continued": "light_branch_no_lm", "L_M against a strong teacher": "light_strong_lm",
               "ablation continued from 96,000": "light_strong_no_lm", "light student from scratch": "light_lm_scratch",
               "noisier training, with L_M (": "light_noisy_lm", "noisier training, no L_M (": "light_noisy_no_lm",
               "noisier training, with L_M, seed 1": "light_noisy_s1_lm",
               "noisier training, no L_M, seed 1": "light_noisy_s1_no_lm",
               "noisier training, with L_M, seed 2": "light_noisy_s2_lm",
               "noisier training, no L_M, seed 2": "light_noisy_s2_no_lm",
               "base student": "base_student", "base proxy": "base_proxy", "Oh et al. 2018": "oh2018"}


def evaluation() -> dict[tuple[str, int], float]:
    """(run folder, noise) -> MSE ratio, from data/runs/evaluation.txt."""
    out = {}
    for line in (RUNS / "evaluation.txt").read_text().splitlines():
        m = re.match(r"data/runs/(\w+)/checkpoint\.pt\s+(\d+)\s+\S+\s+\S+\s+(\S+)$", line)
        if m:
            out[m[1], int(m[2])] = float(m[3])
    return out


def last_step(run: str) -> int:
    return int(read_loss_log(RUNS / run)["step"][-1])


def table_rows(text: str, first_cell: str) -> list[list[str]]:
    """Cells of the markdown table rows whose first cell starts with ``first_cell``."""
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("|")]
    return [r for r in rows if r[0].startswith(first_cell)]


@pytest.mark.parametrize("label, run", README_ROWS.items())
def test_readme_circles_table_is_the_committed_evaluation(label, run):
    scores = evaluation()
    (row,) = table_rows((ROOT / "README.md").read_text(), label)
    assert int(row[1].replace(",", "")) == last_step(run)
    assert [float(c) for c in row[2:5]] == [scores[run, noise] for noise in (0, 2, 5)]


@pytest.mark.parametrize("run", sorted(README_ROWS.values()))
def test_runs_readme_steps_are_the_loss_logs(run):
    (row,) = table_rows((RUNS / "README.md").read_text(), f"`{run}`")
    steps, batch = (int(x.replace(",", "")) for x in row[3].split(" x "))
    assert (steps, batch) == (last_step(run), 16)


def test_readme_noise_sweep_is_the_committed_paired_scores():
    """The table of the shipped pair by input noise is data/runs/paired_lm_sweep.txt (mmkit evaluate --paired)."""
    text = (RUNS / "paired_lm_sweep.txt").read_text()
    ratios = {(m[1], int(m[2])): float(m[3]) for m in re.finditer(r"^(light\w*)\s+(\d+)\s+\S+\s+\S+\s+(\S+)$", text,
                                                                   re.M)}
    diffs = {int(m[1]): (float(m[2]), float(m[3]), int(m[4])) for m in re.finditer(
        r"first minus second, scene by scene\s+(\d+)\s+\S+\s+(\S+)\s+\+- (\S+) \(standard error\); first better "
        r"on (\d+) of 250", text)}
    rows = [r for r in table_rows((ROOT / "README.md").read_text(), "") if r[0].isdigit()
            and len(r) == 6 and r[3].isdigit()]
    assert [int(r[0]) for r in rows] == sorted(diffs) and len(rows) >= 10
    for r in rows:
        noise = int(r[0])
        assert (float(r[1]), float(r[2]), int(r[3])) == diffs[noise]
        assert (float(r[4]), float(r[5])) == (ratios["light", noise], ratios["light_no_lm", noise])


def noise_paths_rows() -> dict[tuple[str, str], list[float]]:
    """(teacher run, run) -> the noise-5 row's shares and D figures, from data/runs/noise_paths.txt."""
    out, teacher = {}, None
    for line in (RUNS / "noise_paths.txt").read_text().splitlines():
        if m := re.match(r"teacher: data/runs/(\w+)/checkpoint\.pt$", line):
            teacher = m[1]
        elif m := re.match(r"data/runs/(\w+)/checkpoint\.pt\s+5\s+(.*)$", line):
            cells = m[2].split()
            out[teacher, m[1]] = [float(c) for c in cells[5:]]   # after the five MSEs
    return out


def test_readme_noise_paths_table_is_the_committed_output():
    """The README's table of where the noise gets in is data/runs/noise_paths.txt (scripts/noise_paths.sh)."""
    scored = noise_paths_rows()
    rows = [r for r in table_rows((ROOT / "README.md").read_text(), "`light") if len(r) == 8]
    assert len(rows) == 8
    for r in rows:
        run = r[0].split("`")[1]
        teacher = run if r[1] == "itself" else r[1].strip("`")
        assert [float(c) for c in r[2:]] == scored[teacher, run], run
