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

import importlib
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
        phase: ``replacing``, ``creating``, ``running``, ``done`` (the run ended: ``run_state`` says
            how), ``timed-out`` (``build(timeout=)`` ran out) or ``stopped`` (an error, named in
            ``message``, ended ``build()``).
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

    #: The service's error code of a failed run (``phase="done"``, ``run_state="Failed"``).
    code: str | None = None

    def describe(self) -> str:
        """One line, for example ``hello: Customizing (2m 05s)`` or ``hello: Succeeded (14m 35s)``.

        While the run goes on the line names its sub-state (``Queued``, ``Building``, ``Customizing``,
        ``Distributing``); at the end it names the outcome: ``Succeeded``, ``PartiallySucceeded``,
        ``Failed: <code>``, ``Canceled``, ``timed out`` or ``stopped``.

        Example:
            >>> BuildProgress("hello", "done", "Failed", "Customizing", "script exited 1",
            ...     timedelta(seconds=75), code="BuildFailed").describe()
            'hello: Failed: BuildFailed (1m 15s) - script exited 1'
        """
        seconds = int(self.elapsed.total_seconds())
        clock = f"{seconds // 60}m {seconds % 60:02d}s"
        extra = f" - {self.message}" if self.message else ""
        return f"{self.template_name}: {self.state()} ({clock}){extra}"

    def state(self) -> str:
        """The state part of :meth:`describe`: ``creating``, ``Customizing``, ``Succeeded``, ...

        Example:
            >>> BuildProgress("hello", "running", "Succeeded", "Distributing", "", timedelta()).state()
            'Succeeded'
        """
        run_state = _text(self.run_state) if self.run_state else ""
        sub_state = _text(self.run_sub_state) if self.run_sub_state else ""
        if self.phase == "timed-out":
            return "timed out (the build goes on in the service)"
        if self.phase == "stopped":
            return "stopped"
        if run_state.lower() in _FINAL_RUN_STATES:
            # The service leaves the last sub-state (Distributing) on a finished run: the outcome alone.
            if run_state.lower() == "failed" and self.code:
                return f"{run_state}: {self.code}"
            return run_state
        if self.phase in ("running", "done") and (sub_state or run_state):
            return sub_state or run_state
        return self.phase


_FINAL_RUN_STATES = frozenset({"succeeded", "partiallysucceeded", "failed", "canceled"})


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
        self._said: tuple[str, str] | None = None
        self._lock = threading.Lock()

    def __call__(self, event: BuildProgress) -> None:
        line = event.describe()
        said = (event.state(), event.message)
        with self._lock:
            if said == self._said:  # the same state again (a run's last status, then its end)
                return
            self._said = said
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
        # Only reached when IPython is already loaded. Imported by name, so that a type checker run over
        # code that imports azimagebuilder does not analyse IPython (and numpy, prompt_toolkit, ...) too.
        display: Any = importlib.import_module("IPython.display").display

        if self._handle is None:
            self._handle = display({"text/plain": line}, raw=True, display_id=True)
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

    def stopped(self, error: BaseException) -> None:
        """Report how a build ended that did not return: failed, canceled, timed out or stopped.

        Example:
            >>> events = []
            >>> Reporter.create(events.append, "hello").stopped(KeyboardInterrupt())
            >>> events[-1].describe().split(" (")[0], events[-1].message
            ('hello: stopped', 'KeyboardInterrupt')
        """
        if self._sink is None:
            return
        status = getattr(error, "last_run_status", None) or self._last_status
        run_state = _text(status.run_state) if status is not None and status.run_state else None
        sub_state = _text(status.run_sub_state) if status is not None and status.run_sub_state else None
        phase, code, message = "stopped", None, type(error).__name__
        if type(error).__name__ == "BuildFailedError":  # azure-core's subclass: not imported here
            phase, code = "done", getattr(error, "code", None)
            message = getattr(error, "service_message", None) or (status.message if status else "") or ""
            if (run_state or "").lower() not in ("failed", "canceled"):
                run_state = "Failed"
        elif type(error).__name__ == "BuildCanceledError":
            phase, run_state, message = "done", "Canceled", (status.message if status else "") or ""
        elif type(error).__name__ == "BuildTimeoutError":
            phase, message = "timed-out", ""
        self._sink(
            BuildProgress(
                template_name=self._name,
                phase=phase,
                run_state=run_state,
                run_sub_state=sub_state,
                message=message,
                elapsed=timedelta(seconds=time.monotonic() - self._start),
                last_run_status=status,
                code=code,
            )
        )

    def status(self, status: LastRunStatus) -> None:
        """Report a run status read from the template (duplicates are dropped)."""
        self._emit(status)

    def close(self) -> None:
        """Finish the display, if any."""
        if self._closer is not None:
            self._closer()
