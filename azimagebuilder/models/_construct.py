"""Building a model in Python: keyword checks, readable errors and snake_case signatures.

``WireModel.__init__`` (the Python path: ``ImageTemplate(location=..., ...)``) comes here; the JSON path
(``model_validate``, ``from_arm``, ``load_template``) does not, so unknown fields stay possible there.

- A keyword the model does not have raises ``TypeError`` at once, with "did you mean `vm_profile`?".
- A value of the wrong shape raises :class:`~azimagebuilder.TemplateValidationError` whose problems read
  like ``validate()``'s: the Python path (``customize[0].inline``), what was expected, what was given and
  what to write instead; no pydantic wording.
- ``inspect.signature(Model)`` lists the snake_case fields with their declared types.

Kept apart from ``_base`` so the models import nothing of this until a model is built or inspected.
"""

from __future__ import annotations

import difflib
import inspect
import re
import types
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import ValidationError
from pydantic_core import PydanticUndefined

if TYPE_CHECKING:
    from ._base import WireModel

    ModelClass = type[WireModel]

# -- unknown keywords --------------------------------------------------------------------------------


def _field_names(cls: type[WireModel]) -> dict[str, str]:
    """Every keyword ``cls(...)`` accepts -> its snake_case field name (field names, then aliases)."""
    names: dict[str, str] = {}
    for name, info in cls.__pydantic_fields__.items():
        names[name] = name
        for alias in (info.alias, info.validation_alias):
            if isinstance(alias, str):
                names.setdefault(alias, name)
    return names


def _suggest(word: str, names: Mapping[str, str]) -> str | None:
    """The field meant by a misspelled keyword, in its Python name, or None."""
    squashed = {re.sub(r"[_\W]", "", key).lower(): field for key, field in names.items()}
    exact = squashed.get(re.sub(r"[_\W]", "", word).lower())
    if exact is not None:
        return exact
    snake = sorted(set(names.values()))
    close = difflib.get_close_matches(word.lower(), snake, n=1, cutoff=0.6)
    if close:
        return close[0]
    by_alias = difflib.get_close_matches(word.lower(), [k.lower() for k in names], n=1, cutoff=0.75)
    if by_alias:
        return next(field for key, field in names.items() if key.lower() == by_alias[0])
    return None


def check_keywords(cls: type[WireModel], data: dict[str, Any]) -> None:
    """Raise TypeError for a keyword ``cls`` has no field for (with "did you mean" in Python names)."""
    names = _field_names(cls)
    for key in data:
        if key in names:
            continue
        guess = _suggest(key, names)
        hint = (
            f"; did you mean `{guess}`?"
            if guess
            else f"; its fields are: {', '.join(cls.__pydantic_fields__)}"
        )
        raise TypeError(
            f"{cls.__name__}() got an unexpected keyword argument {key!r}{hint} "
            f"(a field this library does not know goes in extra={{{key!r}: ...}})"
        )


def check_extra(cls: type[WireModel], extra: Any) -> dict[str, Any]:
    """The ``extra=`` mapping (fields this library does not model, written as given), checked."""
    if not isinstance(extra, Mapping):
        raise TypeError(
            f"{cls.__name__}(extra=...) takes a mapping of wire names to values, such as "
            f"{{'futureField': 1}}, not {_got(extra)}"
        )
    names = _field_names(cls)
    lowered = {re.sub(r"[_\W]", "", key).lower(): field for key, field in names.items()}
    out: dict[str, Any] = {}
    for key, value in extra.items():
        if not isinstance(key, str):
            raise TypeError(f"{cls.__name__}(extra=...): keys are field names (str), not {_got(key)}")
        field = lowered.get(re.sub(r"[_\W]", "", key).lower())
        if field is not None:
            raise TypeError(
                f"{cls.__name__}(extra=...): {key!r} is a field of {cls.__name__}; pass {field}=... instead"
            )
        out[key] = value
    return out


# -- readable errors ---------------------------------------------------------------------------------


def raise_readable(cls: type[WireModel], exc: ValidationError) -> None:
    """Re-raise a pydantic error from ``cls(...)`` as TemplateValidationError with Python paths."""
    from .._codes import MISSING_FIELD, WRONG_VALUE_TYPE
    from .._errors import TemplateValidationError
    from .._problems import Problem

    grouped: dict[str, list[tuple[dict[str, Any], Any, str]]] = {}
    for err in exc.errors(include_url=False):
        path, annotation, name = _walk(cls, tuple(err["loc"]))
        grouped.setdefault(path, []).append((dict(err), annotation, name))
    # A union tried member by member fails at several depths (``inline`` as an expression, ``inline[1]`` as a
    # list): the deepest place says what is wrong.
    deeper = {p for p in grouped if any(q != p and q.startswith((f"{p}.", f"{p}[")) for q in grouped if p)}
    problems: list[Problem] = []
    for path, errors in grouped.items():
        if path in deeper:
            continue
        message, missing = _message(cls, path, errors)
        problems.append(Problem(path, MISSING_FIELD if missing else WRONG_VALUE_TYPE, message, "error"))
    raise TemplateValidationError(problems, source=f"{cls.__name__}(...)") from None


def _unwrap(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    """``Annotated[X, meta...]`` -> ``(X, meta)``."""
    if get_origin(annotation) is Annotated:
        base, *meta = get_args(annotation)
        return base, tuple(meta)
    return annotation, ()


def _members(annotation: Any) -> list[Any]:
    """The members of a union (``None`` left out), or the annotation itself."""
    base, _ = _unwrap(annotation)
    if _family(annotation) is not None:
        return [annotation]  # a discriminated union (Source, Customizer, Distributor) is one kind
    if get_origin(base) in (Union, types.UnionType):
        out: list[Any] = []
        for member in get_args(base):
            if member is type(None):
                continue
            out.extend(
                _members(member) if get_origin(_unwrap(member)[0]) in (Union, types.UnionType) else [member]
            )
        return out
    return [annotation]


def _family(annotation: Any) -> dict[str, type[WireModel]] | None:
    """A discriminated union's tags -> model classes (Source, Customizer, Distributor), or None."""
    from pydantic import Tag

    base, meta = _unwrap(annotation)
    if not any(type(m).__name__ == "Discriminator" for m in meta):
        return None
    out: dict[str, type[WireModel]] = {}
    for member in get_args(base):
        cls, member_meta = _unwrap(member)
        for m in member_meta:
            if isinstance(m, Tag):
                out[m.tag] = cls
    return out


def _sequence_item(annotation: Any) -> Any:
    for member in _members(annotation):
        base, _ = _unwrap(member)
        if get_origin(base) in (Sequence, tuple, list) or base in (tuple, list):
            args = get_args(base)
            return args[0] if args else Any
    return Any


def _mapping_value(annotation: Any) -> Any:
    for member in _members(annotation):
        base, _ = _unwrap(member)
        if get_origin(base) in (Mapping, dict):
            args = get_args(base)
            return args[1] if len(args) == 2 else Any
    return Any


def _model_class(annotation: Any) -> type[WireModel] | None:
    from ._base import WireModel

    for member in _members(annotation):
        base, _ = _unwrap(member)
        if isinstance(base, type) and issubclass(base, WireModel):
            return base
    return None


def _field_annotation(cls: type[WireModel], name: str) -> Any:
    info = cls.__pydantic_fields__[name]
    if info.metadata:
        params = (info.annotation, *info.metadata)
        return Annotated[params]
    return info.annotation


def _walk(cls: type[WireModel], loc: tuple[int | str, ...]) -> tuple[str, Any, str]:
    """A pydantic error location -> (Python path, the annotation there, the keyword/field name there)."""
    path, annotation, name, _ = _walk_both(cls, loc)
    return path, annotation, name


def _walk_both(cls: type[WireModel], loc: tuple[int | str, ...]) -> tuple[str, Any, str, str]:
    """As :func:`_walk`, plus the wire (camelCase JSON) path."""
    path = ""
    wire = ""
    annotation: Any = cls
    name = ""
    family_of_tag: Any = None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            wire += f"[{part}]"
            annotation, family_of_tag = _sequence_item(annotation), None
            continue
        family = _family(annotation)
        if family is not None and part in family:
            family_of_tag, annotation = annotation, family[part]
            continue
        model = _model_class(annotation)
        if model is not None and get_origin(_unwrap(annotation)[0]) not in (Mapping, dict):
            field = _field_names(model).get(part)
            if field is not None:
                path += f".{field}" if path else field
                alias = model.__pydantic_fields__[field].alias or field
                wire += f".{alias}" if wire else alias
                annotation, name, family_of_tag = _field_annotation(model, field), field, None
                continue
        if _mapping_value(annotation) is not Any or get_origin(_unwrap(annotation)[0]) in (Mapping, dict):
            path += f"[{part!r}]"
            wire += f".{part}" if str(part).isidentifier() else f"[{part!r}]"  # JSON paths: tags.team
            annotation, family_of_tag = _mapping_value(annotation), None
            continue
        # a union member's label (``int``, ``function-after[...]``): not part of the path
    if family_of_tag is not None:
        annotation = family_of_tag  # an error about the member as a whole: describe the family
    return path, annotation, name, wire


def wire_problems(cls: type[WireModel], exc: ValidationError) -> list[tuple[str, bool, str]]:
    """A pydantic error of ``cls.model_validate(json)`` as (wire path, missing?, message), one per place.

    The same words as for Python, without the Python spelling of what to write.
    """
    grouped: dict[str, list[tuple[dict[str, Any], Any, str]]] = {}
    wires: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        path, annotation, name, wire = _walk_both(cls, tuple(err["loc"]))
        grouped.setdefault(path, []).append((dict(err), annotation, name))
        wires.setdefault(path, wire)
    deeper = {p for p in grouped if any(q != p and q.startswith((f"{p}.", f"{p}[")) for q in grouped if p)}
    out: list[tuple[str, bool, str]] = []
    for path, errors in grouped.items():
        if path in deeper:
            continue
        wire = wires[path]
        message, missing = _message(cls, path, errors)
        # JSON has no keywords: the Python spelling of what to write is left out
        message = f"`{wire.rsplit('.', 1)[-1]}` is required" if missing else message.split("; write ", 1)[0]
        out.append((wire, missing, message))
    return out


_SIMPLE = {str: "a string", int: "a whole number", bool: "True or False", float: "a number"}
_SIMPLE_PLURAL = {str: "strings", int: "whole numbers", bool: "booleans", float: "numbers"}
_EXPRESSION = "an ARM template expression such as \"[parameters('name')]\""


def _is_expression(annotation: Any) -> bool:
    from ._base import ArmExpression

    return bool(annotation == ArmExpression)


def _family_names(family: Mapping[str, type[WireModel]]) -> tuple[str, list[str]]:
    names = [c.__name__ for c in family.values() if not c.__name__.startswith("Unknown")]
    # The family's noun is the last word its members share: ...Source, ...Customizer, ...Validator.
    words = {re.findall(r"[A-Z][a-z]+", n)[-1] for n in names if re.findall(r"[A-Z][a-z]+", n)}
    noun = words.pop().lower() if len(words) == 1 else "value"
    return noun, names


def _a(word: str) -> str:
    """``word`` with its indefinite article: "a VmProfile", "an Optimize"."""
    return f"{'an' if word[:1].lower() in 'aeio' else 'a'} {word}"


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _describe(annotation: Any, plural: bool = False) -> str:
    """What a value of this annotation is, in words: "a list of strings", "a VmProfile", ..."""
    kinds: list[str] = []
    expression = False
    for member in _members(annotation):
        if _is_expression(member):
            expression = True
            continue
        family = _family(member)
        base, _ = _unwrap(member)
        if family is not None:
            noun, names = _family_names(family)
            kinds.append(f"{noun}s ({', '.join(names)})" if plural else f"{_a(noun)}: {_or(names)}")
        elif get_origin(base) in (Sequence, tuple, list):
            kinds.append(
                ("lists of " if plural else "a list of ") + _describe(_sequence_item(base), plural=True)
            )
        elif get_origin(base) in (Mapping, dict):
            args = get_args(base)
            value = _describe(args[1], plural=True) if len(args) == 2 else "values"
            kinds.append(f"mappings of strings to {value}" if plural else f"a mapping of strings to {value}")
        elif base in _SIMPLE:
            kinds.append(_SIMPLE_PLURAL[base] if plural else _SIMPLE[base])
        elif isinstance(base, type):
            kinds.append(f"{base.__name__}s" if plural else _a(base.__name__))
        else:
            kinds.append("values")
    if not kinds:
        return "ARM template expressions" if plural else _EXPRESSION
    text = _or(kinds)
    if expression:
        text += " or ARM template expressions" if plural else f" (or {_EXPRESSION})"
    return text


def _got(value: Any) -> str:
    from ._base import WireModel

    if isinstance(value, WireModel):
        return _a(type(value).__name__)
    if isinstance(value, bool):
        return f"the bool {value}"
    if isinstance(value, (str, int, float)):
        text = repr(value)
        return f"the {type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"
    if value is None:
        return "None"
    return _a(type(value).__name__)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _instead(path: str, annotation: Any, name: str, value: Any) -> str:
    """What to write instead, for the common mistakes; "" when there is nothing better to say."""
    from ._base import WireModel

    is_list = any(get_origin(_unwrap(m)[0]) in (Sequence, tuple, list) for m in _members(annotation))
    target = f"{name}=" if name and not path.endswith("]") else ""
    item = _sequence_item(annotation)
    item_takes_models = _model_class(item) is not None or any(_family(m) for m in _members(item))
    fits = isinstance(value, (WireModel, Mapping)) if item_takes_models else isinstance(value, str)
    if is_list and fits:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit() and int in _members(item):
            return f"write {target}[{int(value)}]"
        return f"write {target}[{_short(value)}]"
    family = next((f for f in map(_family, _members(annotation)) if f), None)
    if family is not None and not isinstance(value, (WireModel, Mapping)):
        _, names = _family_names(family)
        return f'write {target}{names[0]}(...), or a dict with its "type"'
    if family is not None and isinstance(value, WireModel):
        noun, _ = _family_names(family)
        return f"{_a(type(value).__name__)} is not {_a(noun)}"
    model = _model_class(annotation)
    if model is not None and family is None and not isinstance(value, (WireModel, Mapping)):
        return f"write {target}{model.__name__}(...)"
    if any(m is bool for m in _members(annotation)) and isinstance(value, str):
        return f"write {target}True or False"
    return ""


def _message(
    cls: type[WireModel], path: str, errors: list[tuple[dict[str, Any], Any, str]]
) -> tuple[str, bool]:
    err, annotation, name = errors[0]
    kinds = {e["type"] for e, _, _ in errors}
    if "missing" in kinds:
        owner = path.rsplit(".", 1)[0] if "." in path else f"{cls.__name__}(...)"
        return f"`{name or path}` is required in {owner}: give {name or path}=...", True
    value = err.get("input")
    custom = [e for e, _, _ in errors if e["type"] in ("value_error", "assertion_error")]
    if custom and not any(_is_expression(m) for m in _members(annotation)):
        text = str(custom[0]["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return text, False
    if kinds & {"union_tag_not_found", "union_tag_invalid"} and isinstance(value, Mapping):
        family = _family(annotation) or {}
        _, names = _family_names(family)
        spellings = [getattr(c, "_type_spellings", ("?",))[0] for c in family.values() if c.__name__ in names]
        return (
            f'a dict here needs its "type" ({_or([repr(s) for s in spellings])}); '
            f"or write {names[0] if names else 'the model'}(...)"
        ), False
    expected = _describe(annotation)
    message = f"expected {expected}, got {_got(value)}"
    hint = _instead(path, annotation, name, value)
    return (f"{message}; {hint}" if hint else message), False


# -- signatures --------------------------------------------------------------------------------------

_DISPLAY = (
    (re.compile(r"\bSeq\["), "Sequence["),
    (re.compile(r"\bMap\["), "Mapping["),
)


def _annotation_text(cls: type[Any], name: str) -> Any:
    for klass in cls.__mro__:
        raw = inspect.get_annotations(klass).get(name)
        if raw is not None:
            if isinstance(raw, str):
                for pattern, text in _DISPLAY:
                    raw = pattern.sub(text, raw)
            return raw
    return inspect.Parameter.empty


def signature(cls: type[WireModel]) -> inspect.Signature:
    """``cls(...)``'s parameters: the snake_case fields (keyword-only) with their declared types."""
    params: list[inspect.Parameter] = []
    for name, info in cls.__pydantic_fields__.items():
        if info.default is not PydanticUndefined:
            default: Any = info.default
        elif info.default_factory is not None:
            default = info.default_factory()  # type: ignore[call-arg]
        else:
            default = inspect.Parameter.empty
        params.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=_annotation_text(cls, name)
            )
        )
    params.append(
        inspect.Parameter(
            "extra", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="Mapping[str, Any] | None"
        )
    )
    return inspect.Signature(params, return_annotation=None)
