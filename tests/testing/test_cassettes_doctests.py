"""The examples in the docstrings of azimagebuilder.testing.cassettes run and give what they show."""

from __future__ import annotations

import doctest

from azimagebuilder.testing import cassettes


def test_cassettes_docstring_examples() -> None:
    results = doctest.testmod(cassettes, optionflags=doctest.ELLIPSIS)
    assert results.attempted >= 2
    assert results.failed == 0
