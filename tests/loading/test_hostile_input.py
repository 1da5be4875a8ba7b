"""load_template / validate on hostile input raise only the documented errors (TemplateValidationError from
load_template; a ValidationReport from validate), with a JSON path; the CLI prints any text in any locale.

Also property-based (hypothesis, a bounded number of examples): any JSON text, any nesting of dicts and lists
with any keys and scalars, any bytes; and the lenient reading equals the strict one on text that only adds
comments and trailing commas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azimagebuilder import TemplateValidationError, load_template, validate
from azimagebuilder.cli._common import INVALID
from azimagebuilder.loading import parse_json
from azimagebuilder.loading._read import strip_json_extras

HUGE = "1" * 5000


def errors_of(source: Any) -> list[tuple[str, str]]:
    with pytest.raises(TemplateValidationError) as info:
        load_template(source)
    report = validate(source)
    assert [(p.path, p.code) for p in report.errors] == [(p.path, p.code) for p in info.value.errors]
    return [(p.path, p.code) for p in info.value.errors]


def base(**properties: Any) -> dict[str, Any]:
    return {"location": "westus2", "properties": properties}


# -- regressions: each defect of the hostile-input run ----------------------------------------------------


def test_an_integer_of_more_than_4300_digits_in_text_is_a_problem_with_its_path() -> None:
    text = '{"location": "westus2", "properties": {"buildTimeoutInMinutes": NUMBER}}'.replace("NUMBER", HUGE)
    assert errors_of(text) == [("properties.buildTimeoutInMinutes", "invalid-json")]
    with pytest.raises(TemplateValidationError, match="5000 digits is too large"):
        load_template(text)


def test_an_integer_of_more_than_4300_digits_in_a_dict_is_a_problem_with_its_path() -> None:
    assert errors_of(base(buildTimeoutInMinutes=10**5000)) == [
        ("properties.buildTimeoutInMinutes", "invalid-json")
    ]


def test_a_dict_with_non_string_keys_is_a_problem_not_a_type_error() -> None:
    doc = base()
    doc["tags"] = {1: "x"}
    assert errors_of(doc) == [("tags", "invalid-json")]
    with pytest.raises(TemplateValidationError, match="key 1 \\(int\\) is not a string"):
        load_template(doc)


def test_a_key_with_a_lone_surrogate_is_a_problem() -> None:
    found = errors_of('{"location": "westus2", "properties": {"\\ud800": 1}}')
    assert [code for _, code in found] == ["invalid-json"]
    assert found[0][0].startswith("properties.")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_are_not_json_numbers(literal: str) -> None:
    text = '{"location": "westus2", "properties": {"buildTimeoutInMinutes": NUMBER}}'.replace(
        "NUMBER", literal
    )
    assert errors_of(text) == [("properties.buildTimeoutInMinutes", "invalid-json")]


def test_deep_nesting_in_text_and_in_a_dict_is_a_problem() -> None:
    assert [code for _, code in errors_of("[" * 100_000 + "]" * 100_000)] == ["invalid-json"]
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(5000):
        inner["a"] = {}
        inner = inner["a"]
    assert [code for _, code in errors_of(base(customize=[deep]))] == ["not-a-template"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "shift_jis"])
def test_bytes_in_any_encoding_give_a_documented_result(encoding: str) -> None:
    raw = json.dumps(base(), ensure_ascii=False).replace("westus2", "wéstus2").encode(encoding, "replace")
    raised: list[TemplateValidationError] = []
    try:
        load_template(raw)
    except TemplateValidationError as exc:
        raised.append(exc)
    assert all(exc.errors for exc in raised)
    report = validate(raw)
    assert report.errors  # no source/distribute: never a crash, always a report


def test_validate_prints_a_lone_surrogate_key_in_an_ascii_locale(tmp_path: Path) -> None:
    """`azimagebuilder validate` on {"properties": {"\\ud800": 1}} printed a UnicodeEncodeError traceback."""
    path = tmp_path / "t.json"
    path.write_text(
        '{"location": "westus2", "properties": {"\\ud800": 1, "propertiés": 2}}', encoding="utf-8"
    )
    other = tmp_path / "u.json"
    other.write_text('{"location": "wéstus2", "propertiés": {}}', encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C", "LANG": "C"}
    for file in (path, other):
        done = subprocess.run(
            [sys.executable, "-m", "azimagebuilder", "validate", str(file)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == INVALID, done.stderr
        assert "Traceback" not in done.stderr
        assert "error" in done.stdout


# -- lenient JSON -----------------------------------------------------------------------------------------


def test_lenient_json_keeps_strings_that_look_like_comments() -> None:
    text = '{"a": "https://x//y /* z */ [1,] {,}", /* c */ "b": [1, 2, // d\n ], }'
    value, problems = parse_json(text)
    assert value == {"a": "https://x//y /* z */ [1,] {,}", "b": [1, 2]}
    assert [p.code for p in problems] == ["lenient-json"]


def test_a_lenient_json_error_names_the_line_and_column_of_the_original_text() -> None:
    text = '{\n  /* a comment\n  over lines */\n  "a": 1,\n  "b": ]\n}'
    value, problems = parse_json(text)
    assert value is None
    assert problems[0].message.endswith("at line 5, column 8")


def test_an_unterminated_comment_or_string_is_an_error() -> None:
    for text in ('{"a": 1 /* open', '{"a": "open', '{"a": 1, // x'):
        value, problems = parse_json(text)
        assert value is None
        assert [p.code for p in problems] == ["invalid-json"]


# -- properties ---------------------------------------------------------------------------------------------

# Bounded for CI; there (CI set) the same examples every run, locally new ones each time.
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
keys = st.one_of(st.text(max_size=8), st.integers(), st.none(), st.booleans(), st.floats())
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=20,
)


def documented(source: Any) -> None:
    raised: list[TemplateValidationError] = []
    try:
        load_template(source)
    except TemplateValidationError as exc:  # the one documented error; anything else fails the test
        raised.append(exc)
    assert all(p.code and isinstance(p.path, str) for exc in raised for p in exc.errors)
    report = validate(source)
    assert all(p.code and isinstance(p.message, str) for p in report.errors + report.warnings)


@EXAMPLES
@given(values)
def test_any_python_value_gives_a_documented_result(value: Any) -> None:
    documented(value)
    documented({"location": "westus2", "properties": value})


@EXAMPLES
@given(st.text(max_size=200))
def test_any_text_gives_a_documented_result(text: str) -> None:
    documented(text if text.lstrip()[:1] in ("{", "[") else "{" + text)


@EXAMPLES
@given(st.binary(max_size=200))
def test_any_bytes_give_a_documented_result(raw: bytes) -> None:
    documented(raw)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(alphabet=st.sampled_from('ab/*,"\\ \n]}'))),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=15,
)


def _with_extras(value: Any) -> str:
    """JSON text of ``value`` with a comment and a trailing comma in every list and object."""
    if isinstance(value, list):
        return "[/* l */" + "".join(_with_extras(v) + ", // i\n" for v in value) + "]"
    if isinstance(value, dict):
        items = "".join(f"{json.dumps(k)}: {_with_extras(v)},\n" for k, v in value.items())
        return "{ // o\n" + items + "}"
    return json.dumps(value)


@EXAMPLES
@given(json_values)
def test_lenient_reading_equals_strict_reading(value: Any) -> None:
    strict = json.dumps(value)
    assert strip_json_extras(strict) == (strict, False) or json.loads(strip_json_extras(strict)[0]) == value
    read, problems = parse_json(_with_extras(value))
    assert read == value
    assert all(p.severity == "warning" for p in problems)
