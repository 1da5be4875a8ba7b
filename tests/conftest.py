"""Shared test configuration: the reference material and a small valid template used across test folders.

Area-specific fixtures live in each test folder's own conftest.py.
"""

from __future__ import annotations

import contextlib
import copy
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# The shared reference material sits beside the checkout (../shared); it is absent on a user's clone.
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "reference"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers per core. About half of a worker's time is spent waiting (on emulated
    builds, polling intervals and the command-line processes tests start), and a second worker per core
    fills those waits; ``-n N`` still sets the number."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(2, 2 * cores)


_AZURITE_INSTALL = pytest.StashKey[threading.Thread]()


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a serial run), before any worker starts
        _compile_each_module_once()
        if config.args_source == pytest.Config.ArgsSource.TESTPATHS:  # the whole suite, which needs it
            config.stash[_AZURITE_INSTALL] = _install_azurite_in_the_background()


def pytest_unconfigure(config: pytest.Config) -> None:
    install = config.stash.get(_AZURITE_INSTALL, None)
    if install is not None:
        install.join()  # never leave an npm install half done


def _install_azurite_in_the_background() -> threading.Thread:
    """On a clean clone, install Azurite (``npm install``, 15-20 s) while the workers start and run the
    tests that do not need it; the tests that do run last (``pytest_collection_modifyitems``). The
    fixture finds it installed, or waits on the same install lock; a failure is left to the fixture to
    report, where a test needs Azurite."""
    from azimagebuilder.testing.azurite import AzuriteNotAvailableError, find_azurite_blob

    def install() -> None:
        with contextlib.suppress(AzuriteNotAvailableError, OSError, subprocess.SubprocessError):
            find_azurite_blob()

    thread = threading.Thread(target=install, name="azurite-install", daemon=True)
    thread.start()
    return thread


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests that need Azurite run after the others (the order is otherwise kept), so that a clean
    clone's first run does not hold workers waiting for its install."""
    items.sort(key=_needs_azurite)


def _needs_azurite(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return item.get_closest_marker("azurite") is not None or any("azurite" in name for name in names)


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
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    os.environ.pop("PYTHONDONTWRITEBYTECODE")
    sys.dont_write_bytecode = False


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
    "properties": {
        "source": {
            "type": "PlatformImage",
            "publisher": "Canonical",
            "offer": "UbuntuServer",
            "sku": "18.04-LTS",
            "version": "latest",
        },
        "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
        "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
    },
}


@pytest.fixture
def doc() -> dict[str, Any]:
    """A valid Linux template (document form)."""
    return copy.deepcopy(LINUX_TEMPLATE_DOC)
