"""The torch device a run uses: ``auto`` or a name, checked against this machine.

Training, the engine and the widgets all take a ``device`` setting; they resolve it here, so that none of them
imports another for it.
"""
from __future__ import annotations

import torch

from .errors import MMKitError


def resolve_device(name: str | torch.device) -> torch.device:
    """``auto`` (CUDA when present, else CPU) or a torch device name; one that is not there is a clear error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise MMKitError(f"unknown device {name!r}; use auto, cpu, cuda or cuda:N") from None
    if device.type == "cuda" and not (torch.cuda.is_available() and (device.index or 0) < torch.cuda.device_count()):
        found = f"{torch.cuda.device_count()} CUDA device(s)" if torch.cuda.is_available() else "no CUDA device"
        raise MMKitError(f"device {name!r} is not available here ({found}); use auto or cpu")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise MMKitError(f"device {name!r} is not available here; use auto or cpu")
    return device
