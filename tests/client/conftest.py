"""Fixtures for the client tests: the scripted transport's helpers on sys.path, and short-build emulators."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# The emulator engineer's fixtures (also a pytest11 plugin once the package is reinstalled).
from azimagebuilder.testing.emulator import emulator_factory  # noqa: F401

sys.path.insert(0, str(Path(__file__).parent))  # client_support, the scripted transport


@pytest.fixture
def start_emulator(emulator_factory: Callable[..., Any]) -> Callable[..., Any]:  # noqa: F811
    """``emulator_factory`` with short builds (0.6 s) unless told otherwise; all stopped after the test."""

    def start(**kwargs: Any) -> Any:
        kwargs.setdefault("build_duration", 0.6)
        return emulator_factory(**kwargs)

    return start
