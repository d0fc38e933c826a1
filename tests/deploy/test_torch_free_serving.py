"""A serving process keeps torch out (api/worker.py): Haystack would import it, unused by the ONNX
encoder, for about 200 MB per worker; with the torch encoder it stays available."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

PROBE = """
import sys
from api.worker import keep_torch_out
from veiviser.settings import get_settings
kept_out = keep_torch_out(get_settings())
from api.app import create_app
from api.search.engine import SearchEngine
loaded = sys.modules.get("torch") is not None
print(kept_out, loaded)
"""


def probe(encoder: str) -> str:
    env = {**os.environ, "VEIVISER_ENCODER": encoder}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120,
                          check=True)
    return done.stdout.strip()


def test_the_onnx_encoder_serves_without_torch(model) -> None:  # the fixture makes sure the export exists
    assert probe("onnx") == "True False"


def test_the_torch_encoder_keeps_torch() -> None:
    assert probe("torch") == "False True"
