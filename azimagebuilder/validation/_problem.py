"""``Problem`` and ``ValidationReport``, kept importable here; they live in ``azimagebuilder._problems``."""

from __future__ import annotations

from .._problems import Problem, Severity, ValidationReport

__all__ = ["Problem", "Severity", "ValidationReport"]
