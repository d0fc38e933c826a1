"""What a `veiviser serve` process loads: search on ONNX Runtime, without torch.

Haystack imports torch whenever it is installed (`haystack.utils.device`), though search with the
ONNX encoder never calls it; in an API worker that import alone is about 200 MB of resident memory.
Torch is installed for index builds and for the `torch` encoder, so a serving process marks it as
absent before anything imports Haystack, which then treats it as not installed, as it is designed
to. A process that needs torch, or has already loaded it, is left as it is.
"""

from __future__ import annotations

import sys
from typing import Any

from veiviser.model.onnx_export import is_current
from veiviser.settings import Settings, get_settings


def keep_torch_out(settings: Settings) -> bool:
    """Mark torch as not installed in this process when search will not use it: the ONNX encoder,
    with its export already built (building one needs torch). Returns whether it did."""
    if "torch" in sys.modules or settings.encoder == "torch" or settings.model_name or \
            not is_current(settings.model_dir, int8=settings.encoder == "onnx-int8"):
        return False
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` now raises ImportError
    return True


def app_from_environment() -> Any:
    """The app factory uvicorn's worker processes call (`serve` with several workers)."""
    keep_torch_out(get_settings())
    from api.app import app_from_environment as create

    return create()
