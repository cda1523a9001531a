"""mmkit: video motion magnification, after Singh, Murala and Kosuru (WACV 2023), for learning and use."""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import MMKitError  # noqa: E402
from .models import MagnificationNet, ModelConfig, build_model, complexity  # noqa: E402
from .engine import magnify  # noqa: E402
from .pretrained import load_pretrained  # noqa: E402

__all__ = ["MMKitError", "MagnificationNet", "ModelConfig", "build_model", "complexity", "load_pretrained", "magnify",
           "__version__"]
