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
