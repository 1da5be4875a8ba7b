"""MkDocs hooks for the site (mkdocs.yml ``hooks:``): the API reference and the command-line reference.

A reference page holds a placeholder comment that the hook replaces at build time, so the pages can never
miss a public name:

- ``<!-- api: azimagebuilder.resources -->`` becomes one mkdocstrings ``::: azimagebuilder.resources.X``
  block per name in that module's ``__all__``, grouped into classes, exceptions, functions and constants;
- ``<!-- cli -->`` becomes the ``--help`` of ``azimagebuilder`` and of each subcommand.

A public name without a docstring is logged as a warning, which ``mkdocs build --strict`` turns into a
failed build: mkdocstrings itself would quietly render it bare.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import inspect
import io
import logging
import re
from typing import Any

_log = logging.getLogger("mkdocs.hooks.azimagebuilder")

_API = re.compile(r"^<!-- api: ([\w.]+) -->$", re.MULTILINE)
_CLI = "<!-- cli -->"


#: The marks tests/docs/test_code_blocks.py reads in a fence's info string (```` ```python live-azure ````),
#: shown on the site as the block's title.
_FENCE_MARKS = {
    "live-azure": "needs an Azure subscription",
}
_MARKED_FENCE = re.compile(r"^(\s*```\w+) (" + "|".join(_FENCE_MARKS) + r")\s*$", re.MULTILINE)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Expand the placeholders of a reference page; show a code block's mark as its title."""
    markdown = _MARKED_FENCE.sub(lambda m: f'{m.group(1)} title="{_FENCE_MARKS[m.group(2)]}"', markdown)
    markdown = _API.sub(lambda m: _api_section(m.group(1), page.file.src_path), markdown)
    if _CLI in markdown:
        markdown = markdown.replace(_CLI, _cli_section())
    return markdown


def _kind(obj: Any) -> str:
    obj = getattr(obj, "__wrapped__", obj)
    if inspect.isclass(obj):
        return "Exceptions" if issubclass(obj, BaseException) else "Classes"
    if callable(obj):
        return "Functions"
    return "Constants"


def _api_section(module_name: str, page: str) -> str:
    module = importlib.import_module(module_name)
    names = list(getattr(module, "__all__", ()))
    if not names:
        _log.warning("%s: %s has no __all__: list its public names there", page, module_name)
    groups: dict[str, list[str]] = {"Classes": [], "Functions": [], "Exceptions": [], "Constants": []}
    for name in names:
        obj = getattr(module, name)
        groups[_kind(obj)].append(name)
        if _kind(obj) == "Constants":
            if not constant_doc(_where_defined(module, name)):
                _log.warning(
                    "%s: the constant %s.%s is not documented: add a `#: what it is` comment line above it",
                    page,
                    module_name,
                    name,
                )
        elif not (inspect.getdoc(getattr(obj, "__wrapped__", obj)) or "").strip():
            _log.warning(
                "%s: %s.%s has no docstring: add one (what it is, and a short example)",
                page,
                module_name,
                name,
            )
    out: list[str] = []
    for title, members in groups.items():
        if not members:
            continue
        out.append(f"## {title}\n")
        for name in members:
            out.append(f"::: {_where_defined(module, name)}\n")
    return "\n".join(out)


def _where_defined(module: Any, name: str) -> str:
    """The dotted path mkdocstrings can collect: where the object is defined, as the lazy loaders know it."""
    obj = getattr(module, name)
    defined_in = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if isinstance(defined_in, str) and isinstance(qualname, str) and defined_in.startswith("azimagebuilder"):
        return f"{defined_in}.{qualname}"
    exports = getattr(module, "_EXPORTS", {})  # a lazy package root: public name -> defining module
    if name in exports:
        target = exports[name]
        target = importlib.util.resolve_name(target, module.__name__) if target.startswith(".") else target
        return f"{target}.{name}"
    return f"{module.__name__}.{name}"


def constant_doc(path: str) -> str:
    """The ``#:`` comment lines just above the module-level assignment of ``path`` (``pkg.module.NAME``)."""
    import ast

    module_name, _, name = path.rpartition(".")
    try:
        source = inspect.getsource(importlib.import_module(module_name))
    except (ImportError, OSError, TypeError):
        return ""
    for node in ast.walk(ast.parse(source)):  # imported from elsewhere: document it where it is defined
        if isinstance(node, ast.ImportFrom) and any(alias.name == name for alias in node.names):
            package = module_name if _is_package(module_name) else module_name.rpartition(".")[0]
            relative = "." * node.level + (node.module or "")
            origin = importlib.util.resolve_name(relative, package) if node.level else relative
            return constant_doc(f"{origin}.{name}")
    lines = source.splitlines()
    assignment = re.compile(rf"^{re.escape(name)}\s*(:[^=]*)?=")
    for number, line in enumerate(lines):
        if assignment.match(line):
            comments: list[str] = []
            for above in reversed(lines[:number]):
                if not above.startswith("#:"):
                    break
                comments.insert(0, above[2:].strip())
            return "\n".join(comments)
    return ""


def _is_package(module_name: str) -> bool:
    return hasattr(importlib.import_module(module_name), "__path__")


def _help(parser: argparse.ArgumentParser) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        parser.print_help()
    return buffer.getvalue()


def _cli_section() -> str:
    import os

    from azimagebuilder.cli import build_parser

    os.environ["COLUMNS"] = "100"  # the same wrapping on every machine
    parser = build_parser()
    out = ["## `azimagebuilder`\n", "```text", _help(parser).rstrip(), "```\n"]
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        for name, sub in getattr(action, "choices", {}).items():
            out += [f"## `azimagebuilder {name}`\n", "```text", _help(sub).rstrip(), "```\n"]
    return "\n".join(out)


class DocstringDialect:
    """A griffe extension (mkdocs.yml: mkdocstrings ``extensions``) for the house style of the docstrings.

    Constants carry their ``#:`` comment as docstring. Docstrings say ``Example:``, which griffe's Google
    style reads as a note (so the ``>>>`` lines would render as quotes), and use Sphinx roles
    (``:class:`~azimagebuilder.ImageTemplate```), which Markdown shows literally. Here the first becomes an
    ``Examples:`` section (rendered as code) and a role its target in code style.
    """

    _ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|mod|exc|data|obj|const):`~?([^`]+)`")
    _EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)

    def __new__(cls, **options: Any) -> Any:
        import griffe

        class _Extension(griffe.Extension):
            def on_instance(self, *, obj: Any, **kwargs: Any) -> None:
                if obj.docstring is not None:
                    obj.docstring.value = DocstringDialect.rewrite(obj.docstring.value)
                elif obj.is_attribute and obj.parent is not None and obj.parent.is_module:
                    # A module constant documented the Sphinx way: `#:` comment lines above it.
                    text = constant_doc(obj.path)
                    if text:
                        obj.docstring = griffe.Docstring(DocstringDialect.rewrite(text), parent=obj)

        return _Extension()

    @classmethod
    def rewrite(cls, text: str) -> str:
        """``Example:`` -> ``Examples:``; ``:class:`~a.B``` -> ```B```."""
        text = cls._EXAMPLE.sub(r"\1Examples:", text)
        return cls._ROLE.sub(
            lambda m: f"`{m.group(1).rsplit('.', 1)[-1] if m.group(0).count('~') else m.group(1)}`", text
        )
