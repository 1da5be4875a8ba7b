"""Fixtures for the client tests: a scripted transport and a client on it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # client_support, the scripted transport

from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def start_emulator() -> Iterator[Callable[..., Any]]:
    """Start an emulator with the given keyword arguments; all are stopped after the test."""
    from azimagebuilder.emulator import Emulator

    started: list[Any] = []

    def start(**kwargs: Any) -> Any:
        kwargs.setdefault("build_duration", 0.6)
        emu = Emulator(**kwargs).start()
        started.append(emu)
        return emu

    yield start
    for emu in reversed(started):
        emu.stop()
