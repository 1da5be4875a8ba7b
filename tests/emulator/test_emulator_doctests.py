"""The examples in the emulator's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "azimagebuilder.emulator",
    "azimagebuilder.emulator._artifacts",
    "azimagebuilder.emulator._clock",
    "azimagebuilder.emulator._credential",
    "azimagebuilder.emulator._emulator",
    "azimagebuilder.emulator._faults",
    "azimagebuilder.emulator._router",
    "azimagebuilder.emulator._server",
    "azimagebuilder.emulator._state",
    "azimagebuilder.emulator._tls",
    "azimagebuilder.emulator.providers",
    "azimagebuilder.emulator.providers.imagebuilder",
    "azimagebuilder.emulator._arm",
    "azimagebuilder.emulator.providers._base",
    "azimagebuilder.emulator.providers._common",
    "azimagebuilder.emulator.providers._builds",
    "azimagebuilder.emulator.providers._shapes",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    if name != "azimagebuilder.emulator._credential":  # its example is in the class docstring only
        assert result.attempted > 0, f"{name} has no docstring example"
