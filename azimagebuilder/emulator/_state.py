"""The shared state store: one JSON-able document, sections per provider, saved atomically.

Every provider keeps its resources in its own section (``store.section("imagebuilder")`` is a plain
``dict``), reads and changes them only while holding the store's lock (``with store.locked():`` or
``with store.changing():``), and keeps values JSON-serialisable (str, int, float, bool, None, list,
dict). When the store has a file, every ``changing()`` block ends with an atomic save: the document is
written to a temporary file in the same folder, flushed and fsync'ed, then ``os.replace``'d over the old
file, so a crash at any moment leaves either the old or the new complete file.

The per-subscription resource-provider registration switch also lives here
(:meth:`StateStore.is_registered` / :meth:`StateStore.set_registered`), so a Microsoft.Resources provider
module can serve ``POST .../providers/{namespace}/register`` against the same data.

Example:
    >>> store = StateStore()
    >>> with store.changing():
    ...     store.section("example")["answer"] = 42
    >>> with store.locked():
    ...     store.section("example")["answer"]
    42
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["StateFileError", "StateStore"]

_FORMAT = "azimagebuilder-emulator-state"
_VERSION = 1


class StateFileError(RuntimeError):
    """The state file exists but cannot be read; it is left untouched."""


class StateStore:
    """Thread-safe provider state, optionally persisted to ``path``."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.RLock()
        self._sections: dict[str, dict[str, Any]] = {}
        self._registrations: dict[str, dict[str, bool]] = {}
        self._depth = 0
        self._dirty = False
        if self.path is not None and self.path.exists():
            self._load(self.path)

    # -- access ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[StateStore]:
        """Hold the lock to read (or change without saving)."""
        with self._lock:
            yield self

    @contextlib.contextmanager
    def changing(self) -> Iterator[StateStore]:
        """Hold the lock to change state; the outermost block saves when it ends without an error."""
        with self._lock:
            self._depth += 1
            try:
                yield self
                self._dirty = True
            finally:
                self._depth -= 1
            if self._depth == 0 and self._dirty:
                self._dirty = False
                self.save()

    def section(self, name: str) -> dict[str, Any]:
        """The provider section ``name`` (created empty). Use it under :meth:`locked` or :meth:`changing`."""
        with self._lock:
            return self._sections.setdefault(name, {})

    def clear(self) -> None:
        """Forget every resource and registration switch (and save the empty state)."""
        with self.changing():
            self._sections.clear()
            self._registrations.clear()

    # -- provider registration switch ---------------------------------------------------------------
    def is_registered(self, subscription_id: str, namespace: str) -> bool:
        """Whether ``namespace`` is registered in the subscription (all are, unless switched off)."""
        with self._lock:
            return self._registrations.get(subscription_id.lower(), {}).get(namespace.lower(), True)

    def set_registered(self, subscription_id: str, namespace: str, registered: bool) -> None:
        """Register or unregister ``namespace`` in one subscription."""
        with self.changing():
            self._registrations.setdefault(subscription_id.lower(), {})[namespace.lower()] = registered

    # -- persistence ---------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the whole document, as saved."""
        with self._lock:
            document = {
                "format": _FORMAT,
                "version": _VERSION,
                "registrations": self._registrations,
                "sections": self._sections,
            }
            copied: dict[str, Any] = json.loads(json.dumps(document))
            return copied

    def save(self) -> None:
        """Write the document atomically to ``path`` (no-op without a path)."""
        if self.path is None:
            return
        with self._lock:
            data = json.dumps(self.snapshot(), indent=1, sort_keys=True).encode("utf-8")
            write_atomically(self.path, data)

    def _load(self, path: Path) -> None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StateFileError(
                f"cannot read emulator state file {path}: {exc}; it was left as it is"
            ) from exc
        if not isinstance(document, dict) or document.get("format") != _FORMAT:
            raise StateFileError(f"{path} is not an azimagebuilder emulator state file; it was left as it is")
        if document.get("version") != _VERSION:
            raise StateFileError(
                f"{path} has state format version {document.get('version')!r}, not {_VERSION}"
            )
        self._sections = dict(document.get("sections") or {})
        self._registrations = dict(document.get("registrations") or {})


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` so that readers and crashes see the old or the new file, never half.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "state.json"
        >>> write_atomically(target, b"{}")
        >>> target.read_bytes()
        b'{}'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    # Make the rename itself durable.
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
