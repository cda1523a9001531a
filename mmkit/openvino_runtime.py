"""The paper's networks run by OpenVINO, an inference runtime made for CPUs: torch's output to within a grey
level, at 1.4-2.3x torch's frames per second on a 2-core CPU (``python -m mmkit.bench``).

OpenVINO (``pip install "mmkit[fast]"``, or ``pip install openvino``) is optional. Where it is installed,
:func:`mmkit.magnify` runs ``light`` and ``base`` with it on a CPU for a clip long enough to pay its conversion
(``MagnifyConfig.runtime = "auto"``, :func:`mmkit.engine.resolve_options`); where it is not, or where converting a
network fails, the engine runs torch. Every operation stays in fp32 (``INFERENCE_PRECISION_HINT: f32``; OpenVINO
would pick bf16 by itself on CPUs that have it, and alpha multiplies the encoder's rounding), so the output is
torch's to within float rounding: ``python -m mmkit.bench`` prints the difference beside the frames per second,
and ``tests/test_openvino_runtime.py`` checks it on the sample clip.

A network is converted the first time (about 2 s) and kept on disk (``$MMKIT_CACHE_DIR/openvino``, by default
``~/.cache/mmkit/openvino``), keyed by a hash of its weights, of the code that defines it and of the versions, so a
later run reads it back in 0.1-0.2 s; it is compiled once per process. Every frame size then sets up its kernels
on its first frame (0.3-0.5 s for light at 720 px, about 2 s for base). One :class:`OpenVINONet` or
:class:`OpenVINOStages` serves one thread.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
import json
import os
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from .errors import MMKitError

if TYPE_CHECKING:
    from .models import MagnificationNet
    from .models.singh2023 import Encoded

#: What a user installs to get the fast runtime (the extra of pyproject.toml).
INSTALL_HINT = 'pip install "mmkit[fast]" (or pip install openvino)'
#: The properties every compiled model gets: fp32 everywhere (exact), one request using all cores.
COMPILE_PROPERTIES = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"}

_compiled: dict[tuple[str, str], object] = {}  # (weights key, part) -> compiled model, for this process
#: Every model compiled in this process, kept to its end. Destroying one (the threads of its CPU streams go) and
#: forking a process later (the trainer's DataLoader workers) crashed Python here, by SIGABRT or SIGSEGV
#: (tests/test_openvino_runtime.py then tests/test_train.py); a process compiles a few, so keeping them is cheap.
_alive: list[object] = []
_lock = threading.Lock()  # one conversion and compilation at a time


def have_openvino() -> bool:
    """Whether OpenVINO is installed (found without importing it: the import loads a large native library; a
    broken install shows when a network is converted, and the engine then runs torch)."""
    return importlib.util.find_spec("openvino") is not None


def clear_compiled() -> None:
    """Forget this process's compiled models, so that the next use reads the disk cache or converts again (the
    benchmark times that). The models themselves stay alive (see ``_alive``)."""
    _compiled.clear()


_core = None


def _ov_core():
    """The process's one ``openvino.Core``."""
    global _core
    if _core is None:
        import openvino as ov

        _core = ov.Core()
    return _core


def openvino_version() -> str | None:
    """OpenVINO's version string, or None where it is not installed."""
    if not have_openvino():
        return None
    import openvino as ov

    return ov.get_version()


def cache_dir() -> Path:
    """Where converted networks are kept: ``$MMKIT_CACHE_DIR/openvino``, else ``~/.cache/mmkit/openvino``."""
    root = os.environ.get("MMKIT_CACHE_DIR") or Path.home() / ".cache" / "mmkit"
    return Path(root) / "openvino"


class _Part(torch.nn.Module):
    """A part of ``net`` to convert; even-sized frames only (padding and cropping depend on the frame size and are
    done outside), so one converted graph serves every size."""

    def __init__(self, net: MagnificationNet) -> None:
        super().__init__()
        self.net = net


class _Core(_Part):
    """The whole network: frames and alpha to the output."""

    def forward(self, prev: torch.Tensor, cur: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        e_a, e_b, app = self.net.encoder(prev, cur)
        return self.net.decoder(self.net.manipulator((e_b - e_a) * alpha.reshape(-1, 1, 1, 1)) + app)


class _Encoder(_Part):
    """The encoder alone: even-sized frames to ``(E_a, E_b, appearance)`` (the temporal mode filters between)."""

    def forward(self, prev: torch.Tensor, cur: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.net.encoder(prev, cur)


class _Back(_Part):
    """Manipulator and decoder: a magnified motion ``D`` and the appearance features to the output frame."""

    def forward(self, motion: torch.Tensor, appearance: torch.Tensor) -> torch.Tensor:
        return self.net.decoder(self.net.manipulator(motion) + appearance)


def _part(net: MagnificationNet, part: str) -> tuple[torch.nn.Module, tuple, list]:
    """The module of ``part`` ("whole", "encoder", "back"), example inputs, and its inputs' dynamic shapes."""
    import openvino as ov

    x, c2 = torch.zeros(1, 3, 32, 32), 2 * net.cfg.channels
    frames = [ov.PartialShape([-1, 3, -1, -1])] * 2
    features = [ov.PartialShape([-1, c2, -1, -1])] * 2
    if part == "whole":
        return _Core(net), (x, x, torch.tensor([10.0])), frames + [ov.PartialShape([-1])]
    if part == "encoder":
        return _Encoder(net), (x, x), frames
    f = torch.zeros(1, c2, 16, 16)
    return _Back(net), (f, f), features


@functools.lru_cache(maxsize=1)
def _versions_and_code() -> str:
    """What a converted network also depends on besides its weights: torch's and OpenVINO's versions and the code
    that defines the network and its parts (read once per process)."""
    from .models import singh2023

    code = inspect.getsource(singh2023) + "".join(inspect.getsource(c) for c in (_Part, _Core, _Encoder, _Back))
    return f"torch {torch.__version__}; openvino {openvino_version()}; format 1; " + \
        hashlib.sha256(code.encode()).hexdigest()


def weights_key(net: MagnificationNet) -> str:
    """A hash of the network's architecture and weights, and the torch, OpenVINO and format versions: the name
    its conversion is kept under."""
    h = hashlib.sha256(json.dumps({"config": net.cfg.to_dict(), "versions": _versions_and_code()},
                                  sort_keys=True).encode())
    for name, tensor in sorted(net.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().float().contiguous().cpu().numpy().tobytes())
    return h.hexdigest()[:24]


def _convert(net: MagnificationNet, part: str = "whole") -> object:
    """The OpenVINO model of ``part`` of ``net`` (see :func:`_part`; frames' H, W even)."""
    import openvino as ov

    module, example, shapes = _part(net, part)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit's tracer warnings: the graph has no size-dependent branch
        was_training = net.training
        net.eval()
        try:
            with torch.no_grad():
                return ov.convert_model(module, example_input=example, input=shapes)
        finally:
            net.train(was_training)


def _read_or_convert(net: MagnificationNet, key: str, part: str = "whole") -> object:
    """The model from the disk cache, else converted and stored there (atomically: the ``.xml`` names a complete
    pair of files; a cache that cannot be written is skipped)."""
    import openvino as ov

    folder = cache_dir()
    name = key if part == "whole" else f"{key}-{part}"
    xml = folder / f"{name}.xml"
    if xml.exists():
        try:
            return _ov_core().read_model(str(xml))
        except Exception:  # a damaged cache entry: convert again
            pass
    model = _convert(net, part)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.{os.getpid()}-{threading.get_ident()}.xml"
        ov.save_model(model, str(tmp), compress_to_fp16=False)
        os.replace(tmp.with_suffix(".bin"), xml.with_suffix(".bin"))
        os.replace(tmp, xml)
    except Exception:
        for leftover in folder.glob(f".{name}.{os.getpid()}-{threading.get_ident()}.*"):
            leftover.unlink(missing_ok=True)
    return model


def _compiled_model(net: MagnificationNet, part: str) -> object:
    """``part`` of ``net`` compiled for the CPU, once per process."""
    if not have_openvino():
        raise MMKitError(f"runtime 'openvino' needs OpenVINO, which is not installed: {INSTALL_HINT}; or use "
                         "runtime='torch'")
    key = weights_key(net)
    with _lock:
        if (key, part) not in _compiled:
            model = _ov_core().compile_model(_read_or_convert(net, key, part), "CPU", COMPILE_PROPERTIES)
            _alive.append(model)
            _compiled[(key, part)] = model
        return _compiled[(key, part)]


def _array(x: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(x.detach().float().cpu().numpy())


class OpenVINOStages:
    """The encoder, and the manipulator with the decoder, of a paper network run by OpenVINO in fp32: what the
    temporal mode needs, since its band-pass filter sits between them. Same interface as the torch network's
    :meth:`~mmkit.models.MagnificationNet.encode` and ``decode(enc, manipulator(motion))``."""

    def __init__(self, net: MagnificationNet) -> None:
        self.pad = net._pad  # the network's own padding to even sizes
        self.encoder = _compiled_model(net, "encoder").create_infer_request()
        self.back = _compiled_model(net, "back").create_infer_request()

    def encode(self, prev: torch.Tensor, cur: torch.Tensor) -> Encoded:
        from .models.singh2023 import Encoded, _check_pair

        _check_pair(prev, cur)
        size = (prev.shape[-2], prev.shape[-1])
        out = self.encoder.infer([_array(self.pad(prev)), _array(self.pad(cur))])
        e_a, e_b, app = (torch.from_numpy(np.array(out[i])) for i in range(3))
        return Encoded(e_a, e_b, app, size)

    def magnify_motion(self, enc: Encoded, motion: torch.Tensor) -> torch.Tensor:
        """The frame for the (already magnified, e.g. band-passed and scaled) motion ``motion`` of ``enc``."""
        out = self.back.infer([_array(motion), _array(enc.appearance)])[0]
        h, w = enc.size
        return torch.from_numpy(np.array(out[..., :h, :w]))


class OpenVINONet:
    """``net(prev, cur, alpha)`` for a paper network, run by OpenVINO on the CPU in fp32.

    Takes and returns what the torch network does: ``(B, 3, H, W)`` float tensors in [-1, 1] (any H, W: odd
    sizes are padded by edge replication and cropped back, as the network itself does), alpha a number or one
    value per sample.
    """

    def __init__(self, net: MagnificationNet) -> None:
        self.pad = net._pad
        self.compiled = _compiled_model(net, "whole")
        self.request = self.compiled.create_infer_request()

    def __call__(self, prev: torch.Tensor, cur: torch.Tensor, alpha: float | torch.Tensor) -> torch.Tensor:
        from .models.singh2023 import _check_pair

        _check_pair(prev, cur)
        h, w = prev.shape[-2:]
        a = torch.as_tensor(alpha, dtype=torch.float32).detach().cpu()
        if not (a.ndim == 0 or (a.ndim == 1 and a.shape[0] in (1, prev.shape[0]))):
            raise ValueError(f"alpha must be a number or have one value per sample ({prev.shape[0]}), "
                             f"got shape {tuple(a.shape)}")
        inputs = [_array(self.pad(prev)), _array(self.pad(cur)), a.reshape(-1).numpy()]
        out = self.request.infer(inputs)[0]
        return torch.from_numpy(np.array(out[..., :h, :w]))

