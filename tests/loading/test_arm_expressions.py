"""The ARM expression evaluator: parsing, the functions it knows, and what it leaves to ARM."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azimagebuilder.loading._arm import Scope, Unevaluable, evaluate, is_expression, unique_string

SUB = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def scope() -> Scope:
    return Scope(
        parameters={"imageName": "Ubuntu", "count": 2, "tags": {"team": "images"}, "regions": ["a", "b"]},
        variables={"prefix": "[concat('aib-', toLower(parameters('imageName')))]", "plain": "x"},
        subscription_id=SUB,
        resource_group="images-rg",
        location="westeurope",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[parameters('imageName')]", "Ubuntu"),
        ("[PARAMETERS('imagename')]", "Ubuntu"),  # names and functions are case-insensitive
        ("[parameters('count')]", 2),
        ("[parameters('tags')]", {"team": "images"}),
        ("[parameters('tags').team]", "images"),
        ("[parameters('regions')[1]]", "b"),
        ("[variables('prefix')]", "aib-ubuntu"),
        ("[concat(variables('prefix'), '-', parameters('count'))]", "aib-ubuntu-2"),
        ("[concat(parameters('regions'), createArrayless())]", None),  # None: an unknown function
        ("[format('{0}-{1}', 'a', parameters('count'))]", "a-2"),
        ("[format('{{literal}} {0}', 'x')]", "{literal} x"),
        ("[toLower('ABC')]", "abc"),
        ("[toUpper('abc')]", "ABC"),
        ("[subscription().subscriptionId]", SUB),
        ("[subscription().id]", f"/subscriptions/{SUB}"),
        ("[resourceGroup().name]", "images-rg"),
        ("[resourceGroup().location]", "westeurope"),
        ("[resourceGroup().id]", f"/subscriptions/{SUB}/resourceGroups/images-rg"),
        (
            "[resourceId('Microsoft.Compute/galleries/images', 'gal', parameters('imageName'))]",
            f"/subscriptions/{SUB}/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/gal/images/Ubuntu",
        ),
        (
            "[resourceId('other-rg', 'Microsoft.ManagedIdentity/userAssignedIdentities', 'id')]",
            f"/subscriptions/{SUB}/resourceGroups/other-rg/providers/Microsoft.ManagedIdentity/"
            "userAssignedIdentities/id",
        ),
        (
            "[resourceId('sub2', 'rg2', 'Microsoft.Compute/images', 'i')]",
            "/subscriptions/sub2/resourceGroups/rg2/providers/Microsoft.Compute/images/i",
        ),
        ("[concat('it''s ', 'quoted')]", "it's quoted"),
        ("[concat(parameters('regions'), parameters('regions'))]", ["a", "b", "a", "b"]),
        ("[string(parameters('count'))]", "2"),
        ("[true()]", True),
        ("  [ toLower( 'A' ) ]  ", "a"),
        ("[[not an expression]", "[not an expression]"),
        ("plain text", "plain text"),
    ],
)
def test_expressions_evaluate(scope: Scope, text: str, expected: Any) -> None:
    if expected is None:
        with pytest.raises(Unevaluable):
            evaluate(text, scope)
    else:
        assert evaluate(text, scope) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[reference('x').outputs]", "reference()"),
        ("[parameters('nope')]", "'nope' has no value"),
        ("[variables('nope')]", "'nope' is not defined"),
        ("[copyIndex()]", "copy loop"),
        ("[format('{0:D3}', 1)]", ".NET format"),
        ("[parameters('tags').missing]", "no member"),
    ],
)
def test_what_only_arm_knows_is_unevaluable(scope: Scope, text: str, why: str) -> None:
    with pytest.raises(Unevaluable, match=why.replace("(", r"\(").replace(")", r"\)")):
        evaluate(text, scope)


def test_the_deployment_scope_is_needed_for_subscription_and_resource_group() -> None:
    for text in ("[subscription().subscriptionId]", "[resourceGroup().name]", "[resourceId('A.B/c', 'n')]"):
        with pytest.raises(Unevaluable, match="not known"):
            evaluate(text, Scope())


def test_a_variable_that_refers_to_itself_is_unevaluable_not_a_recursion_error() -> None:
    with pytest.raises(Unevaluable, match="itself"):
        evaluate("[variables('a')]", Scope(variables={"a": "[variables('b')]", "b": "[variables('a')]"}))


@pytest.mark.parametrize(
    "text",
    ["[concat('a']", "[concat('a', )]", "[parameters('x') junk]", "[ 'unclosed ]", "[resourceId('A.B/c')]"],
)
def test_malformed_expressions_raise_value_error_with_the_position(text: str) -> None:
    with pytest.raises(ValueError, match=r"expression|resourceId"):
        evaluate(text, Scope(parameters={"x": 1}, subscription_id="s", resource_group="g"))


def test_is_expression_tells_escaped_brackets_apart() -> None:
    assert is_expression("[parameters('a')]")
    assert not is_expression("[[parameters('a')]")
    assert not is_expression("plain")
    assert not is_expression(42)


# Values Azure Resource Manager returned for these inputs (published with other reimplementations).
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("aaa",), "zavj67f3en4hc"),
        (("bbb",), "w5eragfxe33cy"),
        (("zzz",), "cryksdzzzawae"),
        (("xxx", "yyy", "zzz"), "lghi7k5js7itq"),
        (("test",), "rbgf3xv4ufgzg"),
        (("hello", "world"), "a7wkljktk6wne"),
        (("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg",), "bmg7c6xu4tw46"),
    ],
)
def test_unique_string_matches_azure(values: tuple[str, ...], expected: str) -> None:
    assert unique_string(*values) == expected


def test_unique_string_in_an_expression_uses_the_deployment_scope(scope: Scope) -> None:
    value = evaluate("[uniqueString(resourceGroup().id)]", scope)
    assert value == unique_string(f"/subscriptions/{SUB}/resourceGroups/images-rg")
    assert len(value) == 13


def test_copy_index_counts_from_the_loop_position() -> None:
    assert evaluate("[concat('img', copyIndex(1))]", Scope(copy_index=0)) == "img1"


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet="[]()',.0123456789-abcdeprmtsvlxyz ", max_size=60))
def test_any_bracketed_text_evaluates_or_raises_unevaluable_or_value_error(body: str) -> None:
    scope = Scope(parameters={"a": [1, {"b": "c"}]}, variables={"v": "[variables('v')]"})
    outcome: Any
    try:
        outcome = evaluate(f"[{body}]", scope)
    except (Unevaluable, ValueError) as exc:  # what only ARM knows, or what is malformed: said in words
        outcome = exc
    if isinstance(outcome, Exception):
        assert str(outcome)
    else:
        assert outcome is None or isinstance(outcome, str | int | float | bool | list | dict)


def test_deep_nesting_is_unevaluable_not_a_recursion_error() -> None:
    with pytest.raises(Unevaluable, match="too deeply"):
        evaluate("[" + "concat(" * 5000 + "'x'" + ")" * 5000 + "]", Scope())
    chain = {f"v{i}": f"[variables('v{i + 1}')]" for i in range(5000)}
    with pytest.raises(Unevaluable):
        evaluate("[variables('v0')]", Scope(variables=chain))
