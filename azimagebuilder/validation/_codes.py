"""The problem codes, kept importable here; they live in the leaf module ``azimagebuilder._codes``."""

from __future__ import annotations

from .._codes import *  # noqa: F403
from .._codes import ALL_CODES as ALL_CODES
from .._codes import SERVICE_TOLERATED_CODES as SERVICE_TOLERATED_CODES
