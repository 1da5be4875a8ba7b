"""Fixtures for the tests of azimagebuilder.resources: a real Azurite blob service for the storage helpers."""

from __future__ import annotations

from azimagebuilder.testing.azurite import azurite

__all__ = ["azurite"]
