"""A result computed once per test run and shared by every pytest-xdist worker of the run.

pytest's session-scoped fixtures are made once per worker; a costly one (a type checker's report, a
Jupyter kernel's run, a probe process) would be made once on each. ``once_per_run`` keeps the result as
JSON in the run's temporary directory, which the workers share: the first worker computes it under a file
lock, the others wait for it and read it (pytest-xdist's documented recipe, without the filelock package).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder.testing.azurite import _lock_exclusively, run_directory


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, compute: Callable[[Path], Any]) -> Any:
    """``compute(directory)``'s JSON-able result, computed by one worker of the run and read by the others.

    ``directory`` is a fresh directory for ``compute``'s files, kept for the run. An exception in
    ``compute`` is not stored: each worker that needs the result tries again, and fails the same way.
    """
    root = run_directory(tmp_path_factory) / "once-per-run"
    root.mkdir(exist_ok=True)
    result = root / f"{name}.json"
    with _locked(root / f"{name}.lock"):
        if result.is_file():
            return json.loads(result.read_text(encoding="utf-8"))
        work = root / name
        work.mkdir(exist_ok=True)
        value = compute(work)
        tmp = result.with_suffix(".tmp")
        tmp.write_text(json.dumps(value), encoding="utf-8")
        os.replace(tmp, result)
        return value


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "w") as lock:
        _lock_exclusively(lock)
        yield
