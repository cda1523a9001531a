"""The figures typed into the README, docs/ and data/runs/README.md agree with the files that the repo's commands
wrote.

The circles tables (docs/training.md, docs/findings.md) and data/runs/README.md's table of runs are written by hand
from `mmkit evaluate`'s output (data/runs/evaluation.txt) and the runs' loss logs; when a run is continued and
re-scored, these tests fail until the tables say the same again.
"""
import re
from pathlib import Path

import pytest

from mmkit.plots import read_loss_log

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "data" / "runs"
DOCS = ROOT / "docs"

#: circles-table row label (its start) in docs/training.md or docs/findings.md -> run folder
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


def doc(name: str) -> str:
    return (DOCS / name).read_text()


@pytest.mark.parametrize("label, run", README_ROWS.items())
def test_docs_circles_tables_are_the_committed_evaluation(label, run):
    """Every row of a run, in whichever circles table of training.md or findings.md it appears."""
    scores = evaluation()
    rows = table_rows(doc("training.md") + doc("findings.md"), label)
    assert rows, label
    for row in rows:
        assert int(row[1].replace(",", "")) == last_step(run), row
        assert [float(c) for c in row[2:5]] == [scores[run, noise] for noise in (0, 2, 5)], row


def test_training_md_final_table_has_every_shipped_run():
    labels = [r[0] for r in table_rows(doc("training.md"), "")]
    for start in ("light student (shipped", "no L_M at 96,000", "base student", "Oh et al. 2018", "light proxy (clean",
                  "base proxy"):
        assert any(label.startswith(start) for label in labels), start


def test_findings_input_mse_is_the_committed_evaluation():
    """The input-unchanged MSE that findings.md quotes is the `input MSE` column of data/runs/evaluation.txt."""
    inputs = {}
    for line in (RUNS / "evaluation.txt").read_text().splitlines():
        if m := re.match(r"data/runs/\w+/checkpoint\.pt\s+(\d+)\s+\S+\s+(\S+)\s+\S+$", line):
            inputs[int(m[1])] = m[2]
    text = " ".join(doc("findings.md").split())
    assert f"{inputs[0]} at noise 0, {inputs[2]} at noise 2, {inputs[5]} at noise 5" in text


def paired_differences() -> dict[tuple[str, str, int], float]:
    """(first run, second run, noise) -> first minus second, from data/runs/paired_lm.txt (scripts/paired_lm.sh)."""
    out, models = {}, []
    for line in (RUNS / "paired_lm.txt").read_text().splitlines():
        if m := re.match(r"data/runs/(\w+)/checkpoint\.pt\s+\d+", line):
            models.append(m[1])
        elif m := re.match(r"\s+first minus second, scene by scene\s+(\d+)\s+\S+\s+(\S+)\s+\+-", line):
            out[models[-2], models[-1], int(m[1])] = float(m[2])
    return out


def test_findings_paired_tables_are_the_committed_paired_scores():
    """findings.md's tables of L_M minus no L_M (`with`, `without` | noise 0 | 2 | 5) are data/runs/paired_lm.txt."""
    diffs = paired_differences()
    rows = [r for r in table_rows(doc("findings.md"), "`") if len(r) == 4 and r[0].count("`") == 4]
    assert len(rows) >= 10
    for r in rows:
        first, second = r[0].split("`")[1::2]
        assert [float(c) for c in r[1:]] == [diffs[first, second, noise] for noise in (0, 2, 5)], r[0]


def test_findings_weight_average_table_is_the_committed_evaluation():
    """The shipped student's weight average against its own last weights: evaluation.txt and evaluation_last.txt."""
    last = {}
    for line in (RUNS / "evaluation_last.txt").read_text().splitlines():
        if m := re.match(r"data/runs/light_student/checkpoint\.pt\s+(\d+)\s+\S+\s+\S+\s+(\S+)$", line):
            last[int(m[1])] = float(m[2])
    scores = evaluation()
    (avg,) = table_rows(doc("findings.md"), "weight average (shipped")
    (own,) = table_rows(doc("findings.md"), "the step's own weights")
    assert [float(c) for c in avg[1:]] == [scores["light_student", n] for n in (0, 2, 5)]
    assert [float(c) for c in own[1:]] == [last[n] for n in (0, 2, 5)]


#: finding 10's networks -> the run folder its shipped weights come from
FINDING_10 = {"light_paper": "light_student", "light_no_lm": "light_no_lm_long", "base_paper": "base_student", "oh2018": "oh2018"}
#: the README's networks
SHIPPED = (*FINDING_10, "light", "base")


def test_readme_networks_table_is_counted_and_scored():
    """The README's table of networks: parameters and GFLOPs as `mmkit info` counts them at 720 x 720, quality as
    the committed held-out scores at 720 px (mmkit/course_data/held_out_720.txt) at noise 0 and 2."""
    from mmkit.models import build_model, complexity
    from mmkit.pretrained import architecture
    from mmkit.tables import held_out_scores
    held = held_out_scores(720)
    rows = {r[0].strip("`"): r for r in table_rows((ROOT / "README.md").read_text(), "`") if len(r) == 6}
    for method in SHIPPED:
        c = complexity(build_model(architecture(method)), 720, 720)
        params, gflops, quality = rows[method][2:5]
        assert int(params.replace(",", "")) == c.params, method
        assert float(gflops) == round(c.gflops, 2), method
        want = [f"{r.ratio:.2f}" for r in sorted(held[method], key=lambda r: r.noise) if r.noise in (0, 2)]
        assert quality.split(" / ") == want, method


def test_findings_cost_table_is_mmkit_info():
    from mmkit.models import build_model, complexity
    rows = table_rows(doc("findings.md"), "")
    for name, start in (("light", "light (M2)"), ("base", "base (M1)"), ("oh2018", "oh2018 (Oh")):
        (row,) = [r for r in rows if r[0].startswith(start)]
        c = complexity(build_model(name), 720, 720)
        assert int(row[2].replace(",", "")) == c.params, name
        assert (float(row[3]), float(row[4])) == (round(c.gmacs, 2), round(c.gflops, 2)), name


@pytest.mark.parametrize("run", sorted(README_ROWS.values()))
def test_runs_readme_steps_are_the_loss_logs(run):
    (row,) = table_rows((RUNS / "README.md").read_text(), f"`{run}`")
    steps, batch = (int(x.replace(",", "")) for x in row[3].split(" x "))
    assert (steps, batch) == (last_step(run), 16)


def test_findings_noise_sweep_is_the_committed_paired_scores():
    """The table of the shipped pair by input noise is data/runs/paired_lm_sweep.txt (mmkit evaluate --paired)."""
    text = (RUNS / "paired_lm_sweep.txt").read_text()
    ratios = {(m[1], int(m[2])): float(m[3]) for m in re.finditer(r"^(light\w*)\s+(\d+)\s+\S+\s+\S+\s+(\S+)$", text,
                                                                   re.M)}
    diffs = {int(m[1]): (float(m[2]), float(m[3]), int(m[4])) for m in re.finditer(
        r"first minus second, scene by scene\s+(\d+)\s+\S+\s+(\S+)\s+\+- (\S+) \(standard error\); first better "
        r"on (\d+) of 250", text)}
    rows = [r for r in table_rows(doc("findings.md"), "") if r[0].isdigit()
            and len(r) == 6 and r[3].isdigit()]
    assert [int(r[0]) for r in rows] == sorted(diffs) and len(rows) >= 10
    for r in rows:
        noise = int(r[0])
        assert (float(r[1]), float(r[2]), int(r[3])) == diffs[noise]
        assert (float(r[4]), float(r[5])) == (ratios["light_paper", noise], ratios["light_no_lm", noise])


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


def test_findings_noise_paths_table_is_the_committed_output():
    """findings.md's table of where the noise gets in is data/runs/noise_paths.txt (scripts/noise_paths.sh)."""
    scored = noise_paths_rows()
    rows = [r for r in table_rows(doc("findings.md"), "`light") if len(r) == 8]
    assert len(rows) == 8
    for r in rows:
        run = r[0].split("`")[1]
        teacher = run if r[1] == "itself" else r[1].strip("`")
        assert [float(c) for c in r[2:]] == scored[teacher, run], run


def test_findings_held_out_table_is_the_committed_held_out_scores():
    """Finding 10's table: the held-out scores at 720 px (ratio +- standard error) and the seen ones at 128 px."""
    from mmkit.tables import held_out_scores
    held, seen = held_out_scores(720), evaluation()
    for method, run in FINDING_10.items():
        (row,) = [r for r in table_rows(doc("findings.md"), f"`{method}`") if "+-" in r[1]]
        want = [f"{r.ratio:.2f} +- {r.ratio_stderr:.2f}" for r in sorted(held[method], key=lambda r: r.noise)]
        assert row[1:4] == want, method
        assert float(row[4]) == round(seen[run, 0], 2), method


def test_findings_varied_content_table_ends_at_the_shipped_scores():
    """Finding 11's first and last rows are the committed held-out scores of light_no_lm and light at 720 px."""
    from mmkit.pretrained import info
    from mmkit.tables import held_out_scores
    held = held_out_scores(720)
    for method in ("light_no_lm", "light"):
        (row,) = [r for r in table_rows(doc("findings.md"), f"`{method}`") if "+-" not in r[1]]
        want = [f"{r.ratio:.2f}" for r in sorted(held[method], key=lambda r: r.noise)]
        assert row[2:5] == want, method
    (last,) = [r for r in table_rows(doc("findings.md"), "`light`") if "+-" not in r[1]]
    assert last[1] == f"{info('light')['step']:,}"
