"""Shared test configuration: the reference material and a small valid template used across test folders.

Area-specific fixtures live in each test folder's own conftest.py.
"""

from __future__ import annotations

import compileall
import contextlib
import copy
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from linux_template import linux_properties
from run_order import run_order

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS = REPO_ROOT / "tests"
# The shared reference material sits beside the checkout (../shared); it is absent on a user's clone.
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "reference"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: three workers per core. Much of a worker's time is spent waiting (on emulated builds,
    polling intervals and the command-line processes tests start), and the other workers of its core fill
    those waits: on 2 cores, 4 workers left the CPUs 30 % idle, 6 left 13 % and ran 7 s faster, 8 were no
    faster than 6 (docs/performance.md); ``-n N`` still sets the number."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(2, 3 * cores)


_AZURITE_INSTALL = pytest.StashKey[threading.Thread]()


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a serial run), before any worker starts
        _compile_each_module_once()
        _rewrite_test_modules_once(config)
        # A parallel run installs Azurite once the workers have collected (so that npm does not compete
        # with their start), a serial run at once.
        if not _is_parallel(config):
            _start_azurite_install(config)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """The first worker has collected: start Azurite's install (pytest-xdist's controller hook)."""
    _start_azurite_install(node.config)


def pytest_unconfigure(config: pytest.Config) -> None:
    install = config.stash.get(_AZURITE_INSTALL, None)
    if install is not None:
        install.join()  # never leave an npm install half done


def _is_parallel(config: pytest.Config) -> bool:
    """pytest-xdist runs workers (``-n N``, N > 0); its own plugin registers later in configure."""
    return bool(getattr(config.option, "numprocesses", None))


def _start_azurite_install(config: pytest.Config) -> None:
    """On a clean clone, install Azurite (``npm install``, 10-20 s) while the tests that do not need it
    run; the tests that do run last (``pytest_collection_modifyitems``). The fixture finds it installed,
    or waits on the same install lock; a failure is left to the fixture to report, where a test needs
    Azurite. Only for a run of the whole suite, which needs it."""
    if config.args_source != pytest.Config.ArgsSource.TESTPATHS or _AZURITE_INSTALL in config.stash:
        return
    from azimagebuilder.testing.azurite import AzuriteNotAvailableError, find_azurite_blob

    def install() -> None:
        with contextlib.suppress(AzuriteNotAvailableError, OSError, subprocess.SubprocessError):
            find_azurite_blob(background=True)

    thread = threading.Thread(target=install, name="azurite-install", daemon=True)
    thread.start()
    config.stash[_AZURITE_INSTALL] = thread


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``slow(cpu=True)`` tests first, the tests that need Azurite last, the other ``slow`` ones spread
    early (``tests/run_order.py``)."""
    items[:] = run_order(
        items,
        slow=lambda item: item.get_closest_marker("slow") is not None,
        last=_needs_azurite,
        first=_computes_for_seconds,
    )


def _computes_for_seconds(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("slow")
    return marker is not None and bool(marker.kwargs.get("cpu"))


def _needs_azurite(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return item.get_closest_marker("azurite") is not None or any("azurite" in name for name in names)


def _rewrite_test_modules_once(config: pytest.Config) -> None:
    """Write the assertion-rewritten bytecode of the test modules and of the package once, before the
    workers start.

    pytest rewrites the asserts of test modules, conftest files and plugins; the package is one (its
    ``pytest11`` entry point), so all of ``azimagebuilder`` is rewritten too. On a clean clone every
    pytest-xdist worker would otherwise rewrite and compile all of them itself (they start together, so
    none finds another's cache): seconds of CPU per worker. This uses pytest's own rewriter, through
    names it does not promise to keep; should they change, the workers simply rewrite as before.
    """
    if sys.dont_write_bytecode or not _is_parallel(config) or config.getoption("assertmode") != "rewrite":
        return
    try:
        from _pytest.assertion import rewrite

        state = config.stash[rewrite.assertstate_key]
        tests = (p for p in TESTS.rglob("*.py") if p.name.startswith("test_") or p.name == "conftest.py")
        for path in sorted([*tests, *(REPO_ROOT / "azimagebuilder").rglob("*.py")]):
            pyc = path.parent / "__pycache__" / (path.stem + rewrite.PYC_TAIL)
            if rewrite._read_pyc(path, pyc) is not None:
                continue
            source_stat, code = rewrite._rewrite_test(path, config)
            pyc.parent.mkdir(exist_ok=True)
            rewrite._write_pyc(state, code, source_stat, pyc)
    except (AttributeError, ImportError, KeyError, OSError, SyntaxError, ValueError):
        return


def _compile_each_module_once() -> None:
    """Let this run's processes share compiled modules: the run writes bytecode even when
    ``PYTHONDONTWRITEBYTECODE`` is set.

    CI images and containers often set it. Every process of the run (each pytest-xdist worker, each
    ``python -m azimagebuilder`` a test starts) then compiled this package, its tests and their assertion
    rewrites again from source: a fifth of the suite's CPU. The installed packages are not affected (pip
    compiles them when it installs them); what the run writes is ``__pycache__`` of the checkout, which git
    ignores, as it ignores ``.pytest_cache``. (A ``PYTHONPYCACHEPREFIX`` would keep the checkout clean, but
    Python then reads no bytecode outside the prefix, so every installed package was compiled again.)
    """
    if os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
        sys.dont_write_bytecode = False
    if not sys.dont_write_bytecode:  # once here rather than in each worker at once
        compileall.compile_dir(REPO_ROOT / "azimagebuilder", quiet=1)
        # The tests' helper modules; test modules and conftest files are compiled with their assertions
        # rewritten (``_rewrite_test_modules_once``).
        compileall.compile_dir(TESTS, quiet=1, rx=re.compile(r"(^|[/\\])(test_[^/\\]*|conftest)\.py$"))


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """Path to ../shared/reference, or skip the test with a message when it is absent."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip(f"../shared/reference is absent ({SHARED_REFERENCE}); these checks need it")
    return SHARED_REFERENCE


LINUX_TEMPLATE_DOC: dict[str, Any] = {
    "type": "Microsoft.VirtualMachineImages/imageTemplates",
    "apiVersion": "2019-05-01-preview",
    "location": "westus2",
    "properties": linux_properties(),
}


@pytest.fixture
def doc() -> dict[str, Any]:
    """A valid Linux template (document form)."""
    return copy.deepcopy(LINUX_TEMPLATE_DOC)
