"""A small evaluator of ARM template expressions: the functions templates use around image templates.

No Python library evaluates ARM template expressions (the Azure SDK leaves that to Resource Manager), so
this module parses the expression language (string literals, numbers, function calls, ``.member`` and
``[index]``) and evaluates just these functions: ``parameters``, ``variables``, ``concat``, ``format``,
``resourceId``, ``subscription``, ``resourceGroup``, ``toLower``, ``toUpper``, ``uniqueString``,
``copyIndex``, ``string``, ``true``, ``false`` and ``null``. Anything else (another function, a parameter
without a value, ``reference()``) raises :class:`Unevaluable`, and the caller keeps the expression as
written, so it is reported as an expression rather than guessed at.

``uniqueString`` follows Resource Manager's algorithm (a 64-bit MurmurHash variant of the arguments joined
with ``-``, written as 13 base-32 characters); the tests check it against values Azure returned.

Example:
    >>> scope = Scope(parameters={"name": "ubuntu"}, subscription_id="0000", resource_group="rg")
    >>> evaluate("[concat('img-', toLower(parameters('name')))]", scope)
    'img-ubuntu'
    >>> evaluate("[resourceId('Microsoft.Compute/images', 'x')]", scope)
    '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/images/x'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._expressions import is_arm_expression

__all__ = ["Scope", "Unevaluable", "evaluate", "is_expression", "unique_string"]

_EXPRESSION = re.compile(r"^\s*\[(?!\[)(.*)\]\s*$", re.DOTALL)
_FORMAT_ITEM = re.compile(r"\{\{|\}\}|\{(\d+)(?:,[^}:]*)?(?::([^}]*))?\}")


class Unevaluable(Exception):
    """The expression uses something this evaluator does not know; ``str()`` says what."""


def is_expression(value: object) -> bool:
    """True for a string holding an ARM expression (``"[...]"``, but not the escaped ``"[[..."``).

    Example:
        >>> is_expression("[parameters('x')]"), is_expression("[[literal]")
        (True, False)
    """
    return is_arm_expression(value)


@dataclass
class Scope:
    """What an expression can see: parameter values, the template's variables, the deployment's scope.

    ``parameters`` are values (already resolved); ``variables`` are the template's ``variables`` section
    as written (evaluated on first use). Names are case-insensitive, as in ARM. ``subscription_id``,
    ``resource_group`` and ``location`` stand for ``subscription()`` and ``resourceGroup()``; when unset,
    expressions that need them stay unevaluated.

    Example:
        >>> evaluate("[variables('v')]", Scope(variables={"v": "[parameters('p')]"}, parameters={"p": 1}))
        1
    """

    parameters: Mapping[str, Any] = field(default_factory=dict)
    variables: Mapping[str, Any] = field(default_factory=dict)
    subscription_id: str | None = None
    resource_group: str | None = None
    location: str | None = None
    copy_index: int | None = None
    _resolving: set[str] = field(default_factory=set, repr=False)
    _resolved: dict[str, Any] = field(default_factory=dict, repr=False)

    def parameter(self, name: str) -> Any:
        for key, value in self.parameters.items():
            if key.lower() == name.lower():
                return value
        raise Unevaluable(f"parameter {name!r} has no value")

    def variable(self, name: str) -> Any:
        lowered = name.lower()
        if lowered in self._resolved:
            return self._resolved[lowered]
        for key, raw in self.variables.items():
            if key.lower() == lowered:
                if lowered in self._resolving:
                    raise Unevaluable(f"variable {name!r} refers to itself")
                self._resolving.add(lowered)
                try:
                    value = resolve_value(raw, self)
                finally:
                    self._resolving.discard(lowered)
                self._resolved[lowered] = value
                return value
        raise Unevaluable(f"variable {name!r} is not defined")


def resolve_value(value: Any, scope: Scope) -> Any:
    """Evaluate every expression inside a JSON value; raise :class:`Unevaluable` if one cannot be."""
    if isinstance(value, str):
        return evaluate(value, scope)
    if isinstance(value, list):
        return [resolve_value(item, scope) for item in value]
    if isinstance(value, dict):
        return {key: resolve_value(item, scope) for key, item in value.items()}
    return value


def evaluate(text: str, scope: Scope) -> Any:
    """The value of ``text``: an expression is evaluated, ``"[[x"`` unescaped, any other string kept.

    Raises :class:`Unevaluable` when the expression uses a function or value this module does not know,
    and :class:`ValueError` when it is not a well-formed expression.
    """
    match = _EXPRESSION.match(text)
    if match is None:
        stripped = text.lstrip()
        return stripped[1:] if stripped.startswith("[[") else text
    try:
        node = _Parser(match.group(1)).parse()
        return _Evaluator(scope).eval(node)
    except RecursionError:
        raise Unevaluable("the expression is nested too deeply to evaluate here") from None


# -- parsing -------------------------------------------------------------------------------------------
# A node is ("str", value) | ("num", value) | ("call", name, args) | ("member", node, name)
# | ("index", node, node).
Node = tuple[Any, ...]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, what: str) -> ValueError:
        return ValueError(f"{what} at position {self.pos} of the expression [{self.text}]")

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.error(f"expected {char!r}")
        self.pos += 1

    def parse(self) -> Node:
        node = self.expression()
        if self.peek():
            raise self.error(f"unexpected {self.peek()!r}")
        return node

    def expression(self) -> Node:
        node = self.primary()
        while True:
            char = self.peek()
            if char == ".":
                self.pos += 1
                self.skip()
                node = ("member", node, self.identifier())
            elif char == "[":
                self.pos += 1
                index = self.expression()
                self.expect("]")
                node = ("index", node, index)
            else:
                return node

    def primary(self) -> Node:
        char = self.peek()
        if char == "'":
            return ("str", self.string())
        if char.isdigit() or char == "-":
            start = self.pos
            self.pos += 1
            while self.pos < len(self.text) and (self.text[self.pos].isdigit() or self.text[self.pos] == "."):
                self.pos += 1
            literal = self.text[start : self.pos]
            try:
                return ("num", float(literal) if "." in literal else int(literal))
            except ValueError:
                raise self.error(f"{literal!r} is not a number") from None
        if char.isalpha() or char == "_":
            name = self.identifier()
            self.expect("(")
            args: list[Node] = []
            if self.peek() != ")":
                args.append(self.expression())
                while self.peek() == ",":
                    self.pos += 1
                    args.append(self.expression())
            self.expect(")")
            return ("call", name, args)
        raise self.error("expected a function call, a 'string' or a number" if char else "unexpected end")

    def identifier(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_$"):
            self.pos += 1
        if start == self.pos:
            raise self.error("expected a name")
        return self.text[start : self.pos]

    def string(self) -> str:
        self.pos += 1  # the opening quote
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "'":
                if self.text.startswith("''", self.pos):
                    out.append("'")
                    self.pos += 2
                    continue
                self.pos += 1
                return "".join(out)
            out.append(char)
            self.pos += 1
        raise self.error("unclosed string")


# -- evaluating ----------------------------------------------------------------------------------------
class _Evaluator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.functions: dict[str, Callable[[list[Any]], Any]] = {
            "parameters": lambda a: self.scope.parameter(_text(a, 0, "parameters")),
            "variables": lambda a: self.scope.variable(_text(a, 0, "variables")),
            "concat": _concat,
            "format": _format,
            "tolower": lambda a: _text(a, 0, "toLower").lower(),
            "toupper": lambda a: _text(a, 0, "toUpper").upper(),
            "string": _string,
            "uniquestring": lambda a: unique_string(*[_text(a, i, "uniqueString") for i in range(len(a))]),
            "resourceid": self.resource_id,
            "subscription": self.subscription,
            "resourcegroup": self.resource_group_object,
            "copyindex": self.copy_index,
            "true": lambda a: True,
            "false": lambda a: False,
            "null": lambda a: None,
        }

    def eval(self, node: Node) -> Any:
        kind = node[0]
        if kind in ("str", "num"):
            return node[1]
        if kind == "call":
            name, arg_nodes = node[1], node[2]
            function = self.functions.get(name.lower())
            if function is None:
                raise Unevaluable(f"{name}() is evaluated only by Azure Resource Manager")
            return function([self.eval(arg) for arg in arg_nodes])
        if kind == "member":
            value = self.eval(node[1])
            if isinstance(value, dict):
                for key, item in value.items():
                    if key.lower() == node[2].lower():
                        return item
            raise Unevaluable(f"no member {node[2]!r}")
        value, index = self.eval(node[1]), self.eval(node[2])
        if isinstance(value, list) and isinstance(index, int) and 0 <= index < len(value):
            return value[index]
        if isinstance(value, dict) and isinstance(index, str):
            for key, item in value.items():
                if key.lower() == index.lower():
                    return item
        raise Unevaluable(f"no item {index!r}")

    def need(self, what: str, value: str | None) -> str:
        if value is None:
            raise Unevaluable(f"the deployment's {what} is not known")
        return value

    def subscription(self, args: list[Any]) -> dict[str, Any]:
        sub = self.need("subscription", self.scope.subscription_id)
        return {"id": f"/subscriptions/{sub}", "subscriptionId": sub}

    def resource_group_object(self, args: list[Any]) -> dict[str, Any]:
        sub = self.need("subscription", self.scope.subscription_id)
        group = self.need("resource group", self.scope.resource_group)
        value: dict[str, Any] = {"id": f"/subscriptions/{sub}/resourceGroups/{group}", "name": group}
        if self.scope.location is not None:
            value["location"] = self.scope.location
        return value

    def resource_id(self, args: list[Any]) -> str:
        texts = [_text(args, i, "resourceId") for i in range(len(args))]
        type_at = next((i for i, t in enumerate(texts) if "/" in t and "." in t.split("/", 1)[0]), None)
        if type_at is None or type_at > 2:
            raise Unevaluable("resourceId() needs a resource type such as 'Microsoft.Compute/images'")
        scope, kind, names = texts[:type_at], texts[type_at], texts[type_at + 1 :]
        segments = kind.split("/")
        if len(names) != len(segments) - 1 or not names:
            raise ValueError(f"resourceId(): {kind!r} needs {len(segments) - 1} name(s), {len(names)} given")
        sub = scope[0] if len(scope) == 2 else self.need("subscription", self.scope.subscription_id)
        group = scope[-1] if scope else self.need("resource group", self.scope.resource_group)
        path = segments[0] + "".join(f"/{t}/{n}" for t, n in zip(segments[1:], names, strict=True))
        return f"/subscriptions/{sub}/resourceGroups/{group}/providers/{path}"

    def copy_index(self, args: list[Any]) -> int:
        if self.scope.copy_index is None:
            raise Unevaluable("copyIndex() outside a copy loop")
        offset = args[-1] if args and isinstance(args[-1], int) else 0
        return self.scope.copy_index + offset


def _text(args: list[Any], index: int, function: str) -> str:
    if index >= len(args):
        raise ValueError(f"{function}() needs at least {index + 1} argument(s)")
    value = args[index]
    if not isinstance(value, str):
        raise ValueError(f"{function}(): argument {index + 1} must be a string, not {value!r}")
    return value


def _string(args: list[Any]) -> str:
    import json

    value = args[0] if args else ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    return json.dumps(value, separators=(",", ":")) if isinstance(value, dict | list) else str(value)


def _concat(args: list[Any]) -> Any:
    if args and all(isinstance(a, list) for a in args):
        return [item for a in args for item in a]
    if any(isinstance(a, dict | list) for a in args):
        raise ValueError("concat() takes all strings or all arrays")
    return "".join(_string([a]) for a in args)


def _format(args: list[Any]) -> str:
    pattern = _text(args, 0, "format")
    values = args[1:]

    def item(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        index = int(match.group(1))
        if index >= len(values):
            raise ValueError(f"format(): {{{index}}} but only {len(values)} value(s) given")
        spec = match.group(2)
        value = values[index]
        if spec:
            raise Unevaluable(f"format(): the .NET format {spec!r}")
        return _string([value])

    return _FORMAT_ITEM.sub(item, pattern)


# -- uniqueString ---------------------------------------------------------------------------------------
_M32 = 0xFFFFFFFF
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (32 - bits))) & _M32


def _fmix(value: int) -> int:
    value = ((value ^ (value >> 16)) * 0x85EBCA6B) & _M32
    value = ((value ^ (value >> 13)) * 0xC2B2AE35) & _M32
    return value ^ (value >> 16)


def _murmur64(data: bytes) -> int:
    """Resource Manager's 64-bit MurmurHash: two 32-bit lanes over 8-byte blocks, seed 0."""
    c1, c2 = 0x239B961B, 0xAB0E9789
    h1 = h2 = 0
    length = len(data)
    full = length - length % 8
    for at in range(0, full, 8):
        k1 = int.from_bytes(data[at : at + 4], "little")
        k2 = int.from_bytes(data[at + 4 : at + 8], "little")
        h1 ^= (_rotl((k1 * c1) & _M32, 15) * c2) & _M32
        h1 = (((_rotl(h1, 19) + h2) & _M32) * 5 + 0x561CCD1B) & _M32
        h2 ^= (_rotl((k2 * c2) & _M32, 17) * c1) & _M32
        h2 = (((_rotl(h2, 13) + h1) & _M32) * 5 + 0x0BCAA747) & _M32
    tail = data[full:]
    if tail:
        k1 = int.from_bytes(tail[:4], "little")
        h1 ^= (_rotl((k1 * c1) & _M32, 15) * c2) & _M32
        if len(tail) > 4:
            k2 = int.from_bytes(tail[4:], "little")
            h2 ^= (_rotl((k2 * c2) & _M32, 17) * c1) & _M32
    h1 ^= length
    h2 ^= length
    h1 = (h1 + h2) & _M32
    h2 = (h2 + h1) & _M32
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = (h1 + h2) & _M32
    h2 = (h2 + h1) & _M32
    return (h2 << 32) | h1


def unique_string(*values: str) -> str:
    """ARM's ``uniqueString(...)``: 13 lowercase base-32 characters from the values joined with ``-``.

    Example:
        >>> unique_string("aaa")
        'zavj67f3en4hc'
    """
    if not values:
        raise ValueError("uniqueString() needs at least one argument")
    digest = _murmur64("-".join(values).encode("utf-8"))
    # 13 groups of five bits from the top; the last group has only four bits left (and a zero bit).
    return "".join(_BASE32[((digest << (5 * i)) & 0xFFFFFFFFFFFFFFFF) >> 59] for i in range(13))
