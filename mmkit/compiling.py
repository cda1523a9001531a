"""``torch.compile`` with a way back: a network that fails to compile runs eagerly instead (with a warning).

The engine's network call (``MagnifyConfig.compile``) and the trainer's forward (``TrainConfig.compile``) both go
through :func:`compile_or_eager`; it lives here so that neither of them imports the other for it.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import torch

from .errors import MMKitError


def compile_or_eager(net: Callable[..., Any]) -> Callable[..., Any]:
    """``torch.compile(net)``, falling back to ``net`` itself (with a warning) if compiling fails; the engine's
    network call and the trainer's forward (``TrainConfig.compile``) both go through it."""
    compiled = torch.compile(net, dynamic=False)
    state = {"call": compiled}

    def call(*args: object) -> Any:
        if state["call"] is compiled:
            try:
                return compiled(*args)
            except MMKitError:
                raise
            except Exception as err:  # no compiler, an unsupported platform, ...: the eager network still works
                first = (str(err).strip().splitlines() or [""])[0][:200]
                warnings.warn(f"torch.compile failed ({type(err).__name__}: {first}); continuing without it "
                              "(compile=False avoids it)", stacklevel=2)
                state["call"] = net
        return state["call"](*args)

    return call
