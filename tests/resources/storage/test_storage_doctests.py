"""The docstring examples of the storage helpers run (those that need Azure are marked +SKIP)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "azimagebuilder.resources",
    "azimagebuilder.resources._storage",
    "azimagebuilder.resources._azurite_store",
    "azimagebuilder.resources.scripts",
    "azimagebuilder.resources.logs",
    "azimagebuilder.resources.vhd",
    "azimagebuilder.testing.azurite",
]


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0


def test_examples_exist() -> None:
    finder = doctest.DocTestFinder()
    examples = sum(
        len(test.examples) for name in MODULES for test in finder.find(importlib.import_module(name))
    )
    assert examples >= 20
