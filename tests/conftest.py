"""Shared test configuration. Area-specific fixtures live in each test folder's own conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# The shared reference material sits beside the checkout (../shared); it is absent on a user's clone.
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """Path to ../shared/reference, or skip the test with a message when it is absent."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip(f"../shared/reference is absent ({SHARED_REFERENCE}); these checks need it")
    return SHARED_REFERENCE
