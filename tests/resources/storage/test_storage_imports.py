"""The storage helpers import no Azure SDK until they are called."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_storage_helpers_loads_no_azure_package() -> None:
    code = (
        "import sys, azimagebuilder.resources as r\n"
        "import azimagebuilder.resources.scripts, azimagebuilder.resources.logs\n"
        "import azimagebuilder.resources.vhd, azimagebuilder.resources._azurite_store\n"
        "names = [n for n in r.__all__ if r._EXPORTS[n].rsplit('.', 1)[1] in ('scripts', 'logs', 'vhd')]\n"
        "[getattr(r, n) for n in names]\n"
        "print(len(names), sorted(m for m in sys.modules if m.startswith('azure')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split(" ", 1)
    assert int(out[0]) >= 15
    assert out[1].strip() == "[]"


def test_type_checkers_see_every_storage_export() -> None:
    import ast
    from pathlib import Path

    import azimagebuilder.resources as resources

    tree = ast.parse(Path(resources.__file__).read_text())
    typed = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for stmt in node.body
        if isinstance(stmt, ast.ImportFrom)
        for alias in stmt.names
    }
    storage = {n for n, m in resources._EXPORTS.items() if m.rsplit(".", 1)[1] in ("scripts", "logs", "vhd")}
    assert storage <= typed
    for name in storage:
        assert getattr(resources, name).__module__ == resources._EXPORTS[name]
