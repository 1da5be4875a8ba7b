"""The exit-code table and the one-line messages every command shares (azimagebuilder.cli._common)."""

from __future__ import annotations

import argparse

import pytest

from azimagebuilder.cli import _common
from azimagebuilder.cli._common import CliError, explain, number


def test_the_table_has_one_meaning_per_code() -> None:
    codes = [code for code, _, _ in _common.EXIT_CODES]
    assert codes == [0, 1, 2, 3, 4, 5, 130]
    for code, name, meaning in _common.EXIT_CODES:
        assert getattr(_common, name) == code
        assert meaning


def test_library_errors_map_to_the_table() -> None:
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceNotFoundError,
        ServiceRequestError,
    )

    from azimagebuilder import BuildTimeoutError, TemplateValidationError, load_template
    from azimagebuilder._errors import VhdNotCopiedError

    with pytest.raises(TemplateValidationError) as invalid:
        load_template({"location": "westus2"})
    message, status = explain(invalid.value)
    assert status == _common.INVALID
    assert "properties.source" in message
    assert explain(BuildTimeoutError("t", 5, "tok"))[1] == _common.TIMED_OUT
    assert explain(VhdNotCopiedError("t", ["vhd"]))[1] == _common.FAILED
    assert explain(KeyboardInterrupt()) == ("interrupted", _common.INTERRUPTED)
    # A credential that has nothing to offer: one line that says what to do.
    message, status = explain(ClientAuthenticationError("DefaultAzureCredential failed\nAttempted: ..."))
    assert (message, status) == (_common.NO_CREDENTIAL, _common.FAILED)
    assert "az login" in message
    not_found = explain(ResourceNotFoundError("Template x not found\nmore"))
    assert not_found == ("not found: Template x not found", _common.FAILED)
    assert explain(HttpResponseError("boom"))[1] == _common.FAILED
    refused = ServiceRequestError(
        "<urllib3.connection.HTTPSConnection object at 0x7f00>: Failed to establish a new connection: "
        "[Errno 111] Connection refused"
    )
    message, status = explain(refused, "https://127.0.0.1:1")
    assert status == _common.FAILED
    assert message.startswith("could not reach https://127.0.0.1:1: connection refused")
    assert "0x7f00" not in message


def test_unexpected_errors_are_one_line() -> None:
    message, status = explain(RuntimeError("a\nb"))
    assert status == _common.FAILED
    assert "\n" not in message
    assert "please report it" in message
    assert explain(CliError("x\n  y", 2)) == ("x y", 2)


@pytest.mark.parametrize(
    ("kind", "bounds", "text", "problem"),
    [
        (float, {"minimum": 0}, "-1", "too small"),
        (float, {"minimum": 0}, "nan", "not a finite number"),
        (float, {"minimum": 0}, "inf", "not a finite number"),
        (float, {"minimum": 0}, "soon", "not a number"),
        (int, {"minimum": 0, "maximum": 65535}, "99999", "too large"),
        (int, {"minimum": 1}, "1.5", "not a whole number"),
        (float, {"above": 0}, "0", "more than 0"),
    ],
)
def test_number_options_are_checked(kind: type, bounds: dict[str, float], text: str, problem: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=problem):
        number(kind, **bounds)(text)


def test_numbers_within_bounds_pass() -> None:
    assert number(int, minimum=0, maximum=10)("10") == 10
    assert number(float, above=0)("0.25") == 0.25
