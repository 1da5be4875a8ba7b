"""Shared test configuration: the reference material and a small valid template used across test folders.

Area-specific fixtures live in each test folder's own conftest.py.
"""

from __future__ import annotations

import copy
import os
import sys
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


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a serial run), before any worker starts
        _compile_each_module_once()


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
