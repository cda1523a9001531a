"""What this machine's CPU does fast. bf16 autocast pays only where oneDNN has bf16 kernels (AVX-512, made fast by
AVX512-BF16 or AMX); elsewhere it is emulated, and then much slower than fp32."""
from __future__ import annotations

import warnings

import torch


def cpu_has_bf16_kernels() -> bool | None:
    """True where oneDNN runs bf16 on this CPU, False where it would emulate it (e.g. an AVX2-only CPU), None
    where this torch cannot tell."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:  # a build without oneDNN, or the private check renamed
        return None


def bf16_is_fast(device: torch.device | str) -> bool:
    """Whether bf16 autocast pays on ``device``: on a GPU, and on a CPU unless it lacks bf16 kernels. The one rule
    behind the trainer's and the engine's warning, the CPU training recipe and the notebooks' choice."""
    return torch.device(device).type != "cpu" or cpu_has_bf16_kernels() is not False


def warn_if_bf16_is_slow(device: torch.device, what: str) -> bool:
    """Warn (and return True) when ``what`` asks for bf16 autocast on a CPU without bf16 kernels.

    Measured on such a CPU (AMD EPYC, AVX2, 2 threads): ``mmkit magnify --bf16`` at 0.22x the frames per second
    of fp32 (``python -m mmkit.bench.inference --models light --sizes 384 --repeats 1 --no-compile``), training in
    bf16 + channels-last at 0.08x the steps per second of fp32 (``python -m mmkit.bench.train_speed --steps 5``)."""
    if bf16_is_fast(device):
        return False
    capability = torch.backends.cpu.get_cpu_capability()
    warnings.warn(f"{what}: this CPU ({capability}) has no bf16 kernels (they need AVX-512; AMX or AVX512-BF16 "
                  "make them fast), so bf16 autocast is emulated and several times slower than fp32 here "
                  "(python -m mmkit.bench.inference --no-compile shows it); leave bf16 off on this machine "
                  "(a --resume may switch it off)", stacklevel=3)
    return True


def cpu_name() -> str:
    """The CPU's model name (Linux's ``/proc/cpuinfo``, else ``platform.processor()``) and the instruction set
    torch uses on it, e.g. ``"AMD EPYC (AVX512)"``: what a benchmark prints beside its timings."""
    import platform

    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            name = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), name)
    except OSError:
        pass
    return f"{name} ({torch.backends.cpu.get_cpu_capability()})"
