"""Progress of ``ImageBuilderClient.build()``: events for a callback, and a display for people.

``build(..., progress=callback)`` calls ``callback(BuildProgress)`` when the phase changes (replacing,
creating, running, done) and whenever the template's ``lastRunStatus`` changes (Queued -> Building ->
Customizing -> Distributing). ``progress=True`` shows the same events: one updating line in a terminal,
one updating output cell in Jupyter (IPython is imported only if it is already loaded), and plain lines
when the output is a file or a pipe.

Example:
    >>> events = []
    >>> reporter = Reporter.create(events.append, "hello")
    >>> reporter.phase("creating")
    >>> events[0].phase, events[0].template_name
    ('creating', 'hello')
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import LastRunStatus

__all__ = ["BuildProgress", "ProgressDisplay", "Reporter"]


@dataclass(frozen=True)
class BuildProgress:
    """One step of a build, as ``build(progress=callback)`` reports it.

    Attributes:
        template_name: the template being built.
        phase: ``replacing``, ``creating``, ``running`` or ``done``.
        run_state: the run's state (``Running``, ``Succeeded``, ...) once a run status was read.
        run_sub_state: ``Queued``, ``Building``, ``Customizing``, ``Distributing``, ... (open strings).
        message: the service's message, if any.
        elapsed: time since ``build()`` started.
        last_run_status: the status the event was made from, when there is one.
    """

    template_name: str
    phase: str
    run_state: str | None
    run_sub_state: str | None
    message: str
    elapsed: timedelta
    last_run_status: LastRunStatus | None = None

    def describe(self) -> str:
        """A one-line description, for example ``hello: running Customizing (2m 05s)``."""
        seconds = int(self.elapsed.total_seconds())
        clock = f"{seconds // 60}m {seconds % 60:02d}s"
        state = " ".join(_text(s) for s in (self.run_state, self.run_sub_state) if s)
        what = state if self.phase == "running" and state else self.phase
        if self.phase == "done" and state:
            what = f"done: {_text(self.run_state)}"
        extra = f" - {self.message}" if self.message else ""
        return f"{self.template_name}: {what} ({clock}){extra}"


def _text(value: Any) -> str:
    return str(getattr(value, "value", value))


class ProgressDisplay:
    """Shows :class:`BuildProgress` events in a terminal, a notebook or a log file.

    Example:
        >>> import io
        >>> out = io.StringIO()
        >>> display = ProgressDisplay(stream=out)
        >>> display(BuildProgress("hello", "creating", None, None, "", timedelta(seconds=3)))
        >>> out.getvalue()
        'hello: creating (0m 03s)\\n'
    """

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self._handle: Any = None
        self._notebook = stream is None and _in_notebook()
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._width = 0
        self._lock = threading.Lock()

    def __call__(self, event: BuildProgress) -> None:
        line = event.describe()
        with self._lock:
            if self._notebook:
                self._show_in_notebook(line)
            elif self._tty:
                pad = " " * max(0, self._width - len(line))
                self._stream.write("\r" + line + pad)
                self._width = len(line)
                self._stream.flush()
            else:
                self._stream.write(line + "\n")
                self._stream.flush()

    def _show_in_notebook(self, line: str) -> None:
        from IPython.display import display  # only reached when IPython is already loaded

        if self._handle is None:
            self._handle = display({"text/plain": line}, raw=True, display_id=True)  # type: ignore[no-untyped-call]
        else:
            self._handle.update({"text/plain": line}, raw=True)

    def close(self) -> None:
        """End the updating line (terminal)."""
        with self._lock:
            if self._tty and self._width:
                self._stream.write("\n")
                self._stream.flush()
                self._width = 0


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class Reporter:
    """Turns phases and run statuses into :class:`BuildProgress` events for one ``build()`` call."""

    def __init__(
        self,
        sink: Callable[[BuildProgress], None] | None,
        template_name: str,
        closer: Callable[[], None] | None = None,
    ) -> None:
        self._sink = sink
        self._name = template_name
        self._closer = closer
        self._start = time.monotonic()
        self._phase = "starting"
        self._last: tuple[Any, ...] | None = None
        self._last_status: LastRunStatus | None = None

    @classmethod
    def create(cls, progress: Callable[[BuildProgress], None] | bool | None, template_name: str) -> Reporter:
        """A reporter for ``build(progress=...)``: a callback, ``True`` (a display), or None/False."""
        if progress is True:
            display = ProgressDisplay()
            return cls(display, template_name, display.close)
        if progress is None or progress is False:
            return cls(None, template_name)
        if not callable(progress):
            raise TypeError("progress must be a callable, True, False or None")
        return cls(progress, template_name)

    def _emit(self, status: LastRunStatus | None) -> None:
        if self._sink is None:
            return
        run_state = _text(status.run_state) if status is not None and status.run_state else None
        sub_state = _text(status.run_sub_state) if status is not None and status.run_sub_state else None
        message = (status.message or "") if status is not None else ""
        key = (self._phase, run_state, sub_state, message)
        if key == self._last:
            return
        self._last = key
        if status is not None:
            self._last_status = status
        event = BuildProgress(
            template_name=self._name,
            phase=self._phase,
            run_state=run_state,
            run_sub_state=sub_state,
            message=message,
            elapsed=timedelta(seconds=time.monotonic() - self._start),
            last_run_status=status,
        )
        self._sink(event)

    def phase(self, name: str) -> None:
        """Enter a phase (``replacing``, ``creating``, ``running``, ``done``)."""
        self._phase = name
        if name == "done" and self._last is not None:
            self._emit_done()
            return
        self._emit(None)

    def _emit_done(self) -> None:
        assert self._last is not None
        _, run_state, sub_state, message = self._last
        if self._sink is None:
            return
        self._sink(
            BuildProgress(
                template_name=self._name,
                phase="done",
                run_state=run_state,
                run_sub_state=sub_state,
                message=message,
                elapsed=timedelta(seconds=time.monotonic() - self._start),
                last_run_status=self._last_status,
            )
        )

    def status(self, status: LastRunStatus) -> None:
        """Report a run status read from the template (duplicates are dropped)."""
        self._emit(status)

    def close(self) -> None:
        """Finish the display, if any."""
        if self._closer is not None:
            self._closer()
