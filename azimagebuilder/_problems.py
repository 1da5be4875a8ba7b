"""One problem found in a template, and the report that collects them.

A leaf module (standard library only; the error class is imported when raised), so the models, the rule
engine, the loaders and the exceptions all share it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """What is wrong (``message``), where (a JSON ``path``), a stable ``code``, and how bad (``severity``).

    Example:
        >>> Problem("properties.customize[2].name", "customizer-name-duplicate", "...", "error").to_dict()
        {'path': 'properties.customize[2].name', 'code': 'customizer-name-duplicate', 'message': '...'}
    """

    path: str
    code: str
    message: str
    severity: Severity = "error"

    def to_dict(self) -> dict[str, str]:
        """The JSON form used by ``azimagebuilder validate --format json``."""
        return {"path": self.path, "code": self.code, "message": self.message}

    def __str__(self) -> str:
        return f"{self.path or '<template>'}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class ValidationReport:
    """Every problem found in one template: ``errors`` stop it, ``warnings`` are worth a look.

    Example:
        >>> report = ValidationReport(errors=[], warnings=[])
        >>> report.ok
        True
    """

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def codes(self) -> set[str]:
        """The codes of all problems, errors and warnings."""
        return {p.code for p in (*self.errors, *self.warnings)}

    def raise_for_errors(self, source: str | None = None) -> None:
        """Raise :class:`azimagebuilder.TemplateValidationError` when there is any error."""
        if self.errors:
            from ._errors import TemplateValidationError

            raise TemplateValidationError(self.errors, self.warnings, source=source)
