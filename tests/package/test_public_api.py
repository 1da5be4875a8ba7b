"""The package root: its public names, and that importing it stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import azimagebuilder

PACKAGE_DIR = Path(azimagebuilder.__file__).parent


def test_all_is_sorted_and_matches_the_export_table() -> None:
    assert azimagebuilder.__all__ == sorted(azimagebuilder.__all__)
    assert set(azimagebuilder.__all__) == {*azimagebuilder._EXPORTS, "__version__"}


@pytest.mark.parametrize("name", sorted(azimagebuilder._EXPORTS))
def test_every_public_name_resolves_from_the_module_the_table_names(name: str) -> None:
    value = getattr(azimagebuilder, name)
    module = sys.modules[azimagebuilder._EXPORTS[name]]
    assert getattr(module, name) is value


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = azimagebuilder.no_such_name  # type: ignore[attr-defined]


def test_type_checking_imports_cover_every_export() -> None:
    """The TYPE_CHECKING block (what IDEs and mypy see) names exactly the exported names."""
    tree = ast.parse((PACKAGE_DIR / "__init__.py").read_text())
    seen: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    seen.update(alias.name for alias in stmt.names)
    assert seen == set(azimagebuilder._EXPORTS)


def test_import_loads_no_azure_sdk_package() -> None:
    code = (
        "import sys, azimagebuilder\n"
        "roots = ('azure', 'aiohttp', 'requests', 'cryptography')\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_command_line_version_and_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "azimagebuilder", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"azimagebuilder {azimagebuilder.__version__}"
    bare = subprocess.run([sys.executable, "-m", "azimagebuilder"], capture_output=True, text=True)
    assert bare.returncode == 2
    assert "COMMAND" in bare.stderr


def test_every_subcommand_is_wired_into_the_command_line() -> None:
    from azimagebuilder.cli import build_parser

    lines = build_parser().format_help().splitlines()
    listed = {line.split()[0] for line in lines if line.startswith("    ")}
    assert {"demo", "validate", "schema", "upgrade", "emulator", "logs", "preflight"} <= listed
