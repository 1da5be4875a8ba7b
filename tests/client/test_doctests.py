"""The docstring examples of the client's modules run (those that need Azure are marked +SKIP)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "azimagebuilder._build",
    "azimagebuilder._client",
    "azimagebuilder._operations",
    "azimagebuilder._polling",
    "azimagebuilder._errors",
    "azimagebuilder.progress",
    "azimagebuilder.aio",
    "azimagebuilder.aio._client",
    "azimagebuilder.cli._demo",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
