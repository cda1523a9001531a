"""The benchmark scripts run (smoke test: they print measured numbers; no timing is asserted)."""
from mmkit.bench import data_speed


def test_data_speed_prints_a_row_per_size(capsys):
    data_speed.main(["--sizes", "32", "--batch", "1"])
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("32")]
    assert len(rows) == 1 and len(rows[0]) == 4
    size, data, train, ratio = rows[0]
    assert abs(float(data) / float(train) - float(ratio)) <= 0.05 + 0.01 * float(ratio)  # the ratio is of the two


def test_train_speed_prints_every_variant(capsys):
    from mmkit.bench import train_speed

    train_speed.main(["--size", "32", "--batch", "1", "--steps", "1"])
    out = capsys.readouterr().out
    for name in train_speed.VARIANTS:
        assert name in out


def test_inference_bench_prints_every_variant_with_its_difference(capsys):
    from mmkit.bench import inference

    inference.main(["--models", "light", "--sizes", "32", "--repeats", "1", "--no-compile"])
    out = capsys.readouterr().out
    rows = {line[:inference.LABEL].strip(): line.split() for line in out.splitlines()
            if line[:inference.LABEL].strip() in inference.VARIANTS}
    assert set(rows) == {name for name, opts in inference.VARIANTS.items() if not opts.get("compile")}
    assert float(rows["eager fp32"][-1]) == 0.0   # fp32 against itself
    assert float(rows["channels-last"][-1]) == 0.0
    assert float(rows["bf16 everywhere + CL"][-1]) > 0.0  # bf16 does change the numbers, and says by how much
    assert float(rows["--bf16 + CL"][-1]) > 0.0


def test_memory_bench_reports_peak_memory(capsys):
    from mmkit.bench import memory

    memory.main(["--method", "linear", "--frames", "40", "--size", "32"])
    out = capsys.readouterr().out
    assert "peak resident memory of mmkit magnify:" in out and "MiB" in out


def test_proxy_speed_prints_every_variant_and_motion_only_is_exact(capsys):
    from mmkit.bench import proxy_speed

    proxy_speed.main(["--size", "32", "--batch", "2", "--repeats", "1"])
    rows = {line[:28].strip(): line.split() for line in capsys.readouterr().out.splitlines()
            if line[:28].strip() in proxy_speed.VARIANTS}
    assert set(rows) == set(proxy_speed.VARIANTS)
    assert float(rows["whole pass fp32"][-2]) == 1.0        # the reference against itself
    assert float(rows["motion_only fp32"][-1]) == 0.0       # the same D, bit for bit
    assert float(rows["motion_only bf16 + c-last"][-1]) > 0.0  # bf16 changes D, and the row says by how much


def test_cache_speed_builds_both_ways_and_finds_the_same_pairs(capsys):
    from mmkit.bench import cache_speed

    cache_speed.main(["--pairs", "4", "--size", "32", "--workers", "2"])
    out = capsys.readouterr().out
    rates = [float(line.split(",")[1].split()[0]) for line in out.splitlines() if "pairs/s" in line]
    assert len(rates) == 2 and min(rates) > 0
    ratio = float(out.split("process: x")[1].split()[0])
    assert abs(ratio - rates[1] / rates[0]) <= 0.05 + 0.01 * ratio
    assert "the two caches are identical" in out


def test_widget_speed_times_each_move_of_each_method(capsys):
    from mmkit.bench import widget_speed

    widget_speed.main(["--quick", "--methods", "light", "linear"])
    out = capsys.readouterr().out
    assert "24 frames of 96 x 96 px" in out and "threads" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in ("light", "linear")}
    assert set(rows) == {"light", "linear"}
    for name, line in rows.items():
        cells = [c.split("/") for c in line.split("|")[1:5]]     # alpha, frame, slice row, alpha again
        assert len(line.split("|")) == 6
        redrawn, exact = zip(*((float(a), float(b)) for a, b in cells))
        assert all(0 <= r <= e for r, e in zip(redrawn, exact))  # the redraw comes no later than the exact slice
    light_alpha = [float(x) for x in rows["light"].split("|")[1].split("/")]
    assert light_alpha[0] < light_alpha[1]                        # a network previews its slice first
    most, mean = (float(x) for x in rows["light"].split("|")[5].split("/"))
    assert 0 <= mean <= most <= 255 and rows["linear"].split("|")[5].strip() == "no preview"


def test_summary_bench_prints_the_cpu_every_path_end_to_end_and_the_widget(capsys):
    """python -m mmkit.bench: one run, every CPU path with its difference from torch fp32, the default marked."""
    from mmkit.bench import summary
    from mmkit.openvino_runtime import have_openvino

    summary.main(["--quick", "--models", "light", "--widget", "linear"])
    out = capsys.readouterr().out
    assert "CPU: " in out and "bf16 kernels: " in out
    assert ("OpenVINO 20" in out) == have_openvino() and ("not installed" in out) != have_openvino()
    rows = {line[:summary.LABEL].strip().rstrip(" *"): line for line in out.splitlines()}
    diff_at = summary.LABEL + 17   # one size in a quick run: fps (10) and ratio (7), then max diff (10)

    def max_diff(row):
        return float(rows[row][diff_at:diff_at + 10])
    assert max_diff("torch CL") == 0.0                         # torch fp32 against itself
    if have_openvino():
        assert max_diff("OpenVINO f32") <= 1.0 and "convert" in rows["OpenVINO f32"]
    assert sum(line[:summary.LABEL].rstrip().endswith(" *") for line in out.splitlines()) == 1  # the default
    assert "end to end" in out and "runtime='torch'" in out and "largest difference" in out
    assert "linear" in out.split("notebook 04's clip")[1]
