"""One problem found in a template, and the report that collects them.

A leaf module (standard library only; the error class is imported when raised), so the models, the rule
engine, the loaders and the exceptions all share it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any, Literal

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

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython / Jupyter text display: the readable line, not the dataclass repr.
        printer.text(f"{self.severity}: {self}")

    def _repr_html_(self) -> str:
        """A one-row table for Jupyter notebooks."""
        return _html_table([self])


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

    def __str__(self) -> str:
        """A summary line, then one line per problem (errors first), for ``print(report)``.

        Example:
            >>> print(ValidationReport(errors=[Problem("location", "missing-field", "give a region")]))
            1 error, 0 warnings
              error    location: give a region [missing-field]
        """
        lines = [self._summary()]
        width = 8 if self.warnings else 6
        lines += [f"  {p.severity:<{width}} {p}" for p in (*self.errors, *self.warnings)]
        return "\n".join(lines)

    def _summary(self) -> str:
        if self.ok and not self.warnings:
            return "ok: no problems"
        errors = f"{len(self.errors)} error{'' if len(self.errors) == 1 else 's'}"
        warnings = f"{len(self.warnings)} warning{'' if len(self.warnings) == 1 else 's'}"
        return f"{errors}, {warnings}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython / Jupyter text display: the same lines as print(report).
        printer.text(str(self))

    def _repr_html_(self) -> str:
        """A table for Jupyter notebooks: severity, path, code and message of each problem."""
        return _html_table([*self.errors, *self.warnings], caption=self._summary())

    def raise_for_errors(self, source: str | None = None) -> None:
        """Raise :class:`azimagebuilder.TemplateValidationError` when there is any error."""
        if self.errors:
            from ._errors import TemplateValidationError

            raise TemplateValidationError(self.errors, self.warnings, source=source)


def _html_table(problems: list[Problem], caption: str | None = None) -> str:
    rows = "".join(
        f'<tr><td style="color:{"#b00020" if p.severity == "error" else "#8a6d00"}">{escape(p.severity)}</td>'
        f"<td><code>{escape(p.path or '<template>')}</code></td><td><code>{escape(p.code)}</code></td>"
        f'<td style="text-align:left">{escape(p.message)}</td></tr>'
        for p in problems
    )
    head = "<tr><th>severity</th><th>path</th><th>code</th><th>message</th></tr>"
    cap = f'<caption style="text-align:left">{escape(caption)}</caption>' if caption else ""
    body = f"<thead>{head}</thead><tbody>{rows}</tbody>" if problems else ""
    return f'<table class="azimagebuilder-problems">{cap}{body}</table>'
