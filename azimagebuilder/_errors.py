"""The exceptions azimagebuilder raises.

::

    Exception
    ├── ImageBuilderError                      anything this library refuses on its own
    │   └── TemplateValidationError (ValueError)  a template that cannot be used; .errors / .warnings
    └── azure.core.exceptions.HttpResponseError   what the service (or the emulator) answered
        └── (client errors: see below, added by the client module)

Every problem carries a JSON path, a short stable code and a message that says what to do.
Nothing here ever holds a secret: messages quote template paths and service error codes, never tokens.

Example:
    >>> from azimagebuilder import TemplateValidationError, load_template
    >>> try:
    ...     load_template({"location": "westus2"})
    ... except TemplateValidationError as exc:
    ...     print(exc.errors[0].path)
    properties.source
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .validation import Problem


class ImageBuilderError(Exception):
    """Base class of the errors this library raises by itself (not HTTP answers)."""


class TemplateValidationError(ImageBuilderError, ValueError):
    """A template that cannot be used, with every problem found.

    Attributes:
        errors: the problems that make the template unusable (each with ``path``, ``code``, ``message``).
        warnings: problems worth a look that do not stop the template.
    """

    def __init__(
        self,
        errors: Sequence[Problem],
        warnings: Sequence[Problem] = (),
        *,
        source: str | None = None,
    ) -> None:
        self.errors: list[Problem] = list(errors)
        self.warnings: list[Problem] = list(warnings)
        self.source = source
        where = f" in {source}" if source else ""
        lines = [f"{len(self.errors)} problem(s){where}:"]
        lines += [f"  {p.path or '<template>'}: {p.message} [{p.code}]" for p in self.errors]
        super().__init__("\n".join(lines))
