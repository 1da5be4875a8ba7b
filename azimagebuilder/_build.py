"""What ``build()`` decides, shared by the sync and async clients (which only send and wait).

- :func:`plan` says what to do with the template the service already holds under the name: create, reuse,
  PATCH the tags, or replace it (or refuse with :class:`TemplateExistsError`).
- :func:`interrupted_line` is the one line a Ctrl-C prints: the build goes on in Azure, and how to cancel it
  or resume waiting (with the run's continuation token).
- :data:`LOG` is the logger both use (``azimagebuilder.client``), so their messages read alike.

Example:
    >>> plan({"location": "westus2", "properties": {}}, None, replace=False).action
    'create'
    >>> plan({"location": "westus2", "tags": {"a": "b"}}, {"location": "westus2"}, replace=False).action
    'update-tags'
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from . import _operations as ops
from ._errors import TemplateExistsError

__all__ = ["LOG", "BuildPlan", "StatusGate", "announce_interrupt", "interrupted_line", "plan"]

LOG = logging.getLogger("azimagebuilder.client")


@dataclass(frozen=True)
class BuildPlan:
    """What ``build()`` does before it runs the template.

    Attributes:
        action: ``create`` (no template yet), ``reuse`` (an identical one), ``update-tags`` (only the tags
            differ: PATCH them), ``replace`` (delete the different one, then create).
        tags: the tags to PATCH (``update-tags`` only).
        differences: the JSON paths where the existing template differs.
    """

    action: str
    tags: dict[str, str] | None = None
    differences: list[str] = field(default_factory=list)


def plan(
    body: Mapping[str, Any], existing: Mapping[str, Any] | None, *, replace: bool, name: str = ""
) -> BuildPlan:
    """Decide what to do with ``existing`` (the service's template, or None) to build ``body``.

    Raises:
        TemplateExistsError: a different template holds the name and ``replace`` is False.
    """
    if existing is None:
        return BuildPlan("create")
    differences = ops.template_differences(body, existing)
    state = str((existing.get("properties") or {}).get("provisioningState") or "")
    if state.lower() == "failed":
        differences.append("properties.provisioningState")
    tags = ops.tags_update(differences, body, existing)
    if tags is not None:  # a tags-only change: the service takes it in place (PATCH)
        return BuildPlan("update-tags", tags=tags, differences=differences)
    if not differences:
        return BuildPlan("reuse")
    if not replace:
        raise TemplateExistsError(name or str(existing.get("name") or "?"), differences)
    return BuildPlan("replace", differences=differences)


def interrupted_line(
    resource_group_name: str,
    image_template_name: str,
    continuation_token: str | None,
    *,
    started: bool = True,
    canceled: bool | None = None,
) -> str:
    """The one line ``build()`` prints on Ctrl-C.

    ``started``: whether the run had been started. ``canceled``: None when the build was left running, True
    when ``cancel_on_interrupt`` cancelled it, False when that cancel itself failed or was interrupted.

    Example:
        >>> interrupted_line("rg", "hello", "TOKEN").split(";")[0]
        "Interrupted: the build of 'hello' goes on in Azure (and is billed)"
    """
    where = f"{resource_group_name!r}, {image_template_name!r}"
    if not started:
        return (
            f"Interrupted before the build of {image_template_name!r} started: nothing runs in Azure "
            f"(the template may exist; see client.get({where}))."
        )
    if canceled:
        return f"Interrupted: the build of {image_template_name!r} was canceled in Azure (no outputs)."
    cancel = (
        f"cancel it with client.begin_cancel({where}) "
        f"or `azimagebuilder cancel -g {resource_group_name} -n {image_template_name}`"
    )
    resume = (
        f"resume waiting with client.begin_run({where}, continuation_token={continuation_token!r})"
        if continuation_token
        else "wait for it with client.begin_run(...) after reading client.get(...).last_run_status"
    )
    head = (
        f"Interrupted: canceling the build of {image_template_name!r} did not finish; it may go on in Azure"
        if canceled is False
        else f"Interrupted: the build of {image_template_name!r} goes on in Azure (and is billed)"
    )
    return f"{head}; {cancel}; {resume}."


def announce_interrupt(line: str, error: BaseException, stream: TextIO | None = None) -> None:
    """Print ``line`` (one line, to stderr) and attach it to the KeyboardInterrupt being re-raised."""
    out = stream if stream is not None else sys.stderr
    try:
        out.write(line + "\n")
        out.flush()
    except (OSError, ValueError):  # a closed stream must not hide the interrupt
        pass
    add_note = getattr(error, "add_note", None)  # Python 3.11+
    if add_note is not None:
        add_note(line)
    LOG.info("%s", line)  # INFO: logging's last-resort handler would print a WARNING a second time


class StatusGate:
    """Passes run statuses to ``target`` until closed; an abandoned poller's thread then reports nothing.

    Example:
        >>> seen = []
        >>> gate = StatusGate(seen.append)
        >>> gate("Running"); gate.close(); gate("Succeeded")
        >>> seen
        ['Running']
    """

    def __init__(self, target: Any) -> None:
        self._target = target
        self._open = True

    def __call__(self, status: Any) -> None:
        if self._open:
            self._target(status)

    def close(self) -> None:
        """Drop every later status."""
        self._open = False
