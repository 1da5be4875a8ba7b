"""The examples in the docstrings of the template modules run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import warnings

import pytest

MODULES = [
    "azimagebuilder.models",
    "azimagebuilder.models._base",
    "azimagebuilder.models._customizer",
    "azimagebuilder.models._distributor",
    "azimagebuilder.models._enums",
    "azimagebuilder.models._identity",
    "azimagebuilder.models._profile",
    "azimagebuilder.models._schema",
    "azimagebuilder.models._source",
    "azimagebuilder.models._status",
    "azimagebuilder.models._template",
    "azimagebuilder.models._trigger",
    "azimagebuilder.loading",
    "azimagebuilder.loading._read",
    "azimagebuilder.loading._front",
    "azimagebuilder.validation",
    "azimagebuilder.validation._engine",
    "azimagebuilder._problems",
    "azimagebuilder._expressions",
    "azimagebuilder._fields",
    "azimagebuilder.models._build",
    "azimagebuilder.models._validator",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_modules_have_examples() -> None:
    finder = doctest.DocTestFinder()
    count = sum(len(test.examples) for name in MODULES for test in finder.find(importlib.import_module(name)))
    assert count >= 30
