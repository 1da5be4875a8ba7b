"""Every public name has a docstring: the API reference (mkdocs, docs/reference/) is built from them.

The public names are ``__all__`` of azimagebuilder, azimagebuilder.aio, .emulator, .resources and the
modules of .testing; for a public class, also each public method and property it defines itself.
Constants cannot carry a runtime docstring; the reference build checks theirs (docs/_hooks.py).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

#: The packages whose ``__all__`` the API reference lists (docs/reference/*.md).
PUBLIC_MODULES = (
    "azimagebuilder",
    "azimagebuilder.aio",
    "azimagebuilder.emulator",
    "azimagebuilder.resources",
    "azimagebuilder.testing.azurite",
    "azimagebuilder.testing.cassettes",
    "azimagebuilder.testing.emulator",
)


def public_objects() -> Iterator[tuple[str, Any]]:
    """(dotted name, object) for every public callable and class, and the public members of the classes."""
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            obj = getattr(obj, "__wrapped__", obj)  # pytest fixtures
            if not (inspect.isclass(obj) or callable(obj)):
                continue  # a constant
            yield f"{module_name}.{name}", obj
            if inspect.isclass(obj):
                yield from _members(f"{module_name}.{name}", obj)


def _members(path: str, cls: type) -> Iterator[tuple[str, Any]]:
    for attr, value in vars(cls).items():
        if attr.startswith("_") or attr in getattr(cls, "model_fields", {}):
            continue
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if isinstance(value, property) or inspect.isfunction(value):
            yield f"{path}.{attr}", value


def _undocumented() -> list[str]:
    return [path for path, obj in public_objects() if not (inspect.getdoc(obj) or "").strip()]


def test_every_public_name_has_a_docstring() -> None:
    missing = _undocumented()
    assert not missing, (
        "these public names have no docstring, so the API reference would show them bare; add one "
        "(say what it is, and a short example for classes and functions):\n  " + "\n  ".join(missing)
    )


def test_the_check_sees_the_public_names() -> None:
    names = [path for path, _ in public_objects()]
    assert "azimagebuilder.ImageBuilderClient" in names
    assert "azimagebuilder.ImageBuilderClient.build" in names
    assert "azimagebuilder.aio.ImageBuilderClient.build" in names
    assert "azimagebuilder.testing.azurite.azurite" in names
    assert "azimagebuilder.ImageTemplate.to_arm" in names


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_all_is_what_the_module_exports(module_name: str) -> None:
    module = importlib.import_module(module_name)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing, f"{module_name}.__all__ names {missing}, which the module does not define"


def test_every_public_constant_has_a_comment_to_show() -> None:
    """A constant's reference entry is its ``#:`` comment (docs/_hooks.py reads it, as Sphinx would)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "_site_hooks", Path(__file__).parents[2] / "docs" / "_hooks.py"
    )
    assert spec is not None
    assert spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    missing = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or callable(obj)) and not hooks.constant_doc(
                hooks._where_defined(module, name)
            ):
                missing.append(f"{module_name}.{name}")
    assert not missing, (
        "these public constants have no `#: what it is` comment line just above their assignment, so the API "
        "reference would show them bare:\n  " + "\n  ".join(missing)
    )
    assert hooks.constant_doc(
        "azimagebuilder.CURRENT_STABLE_API_VERSION"
    )  # followed to azimagebuilder._constants
