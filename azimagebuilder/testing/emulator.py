"""pytest fixtures that run the local Image Builder emulator.

Fixtures:

- ``emulator``: a fresh :class:`~azimagebuilder.emulator.Emulator` per test, builds instant
  (``build_duration=0``), real clock.
- ``emulator_clock``: a :class:`~azimagebuilder.emulator.ManualClock`; ``emulator_with_clock`` is an
  emulator on it (``build_duration=60``), so a test steps through a build with ``emulator_clock.advance()``.
- ``emulator_factory``: call it with any ``Emulator`` keyword arguments; every emulator it made is stopped
  after the test.
- ``emulator_session``: one emulator for the whole session (instant builds), for suites that only need a
  target and use unique template names.

Register them in a ``conftest.py`` with ``pytest_plugins = ["azimagebuilder.testing.emulator"]`` (or they
are available already when azimagebuilder is installed: it declares this module as a ``pytest11`` plugin).

Example::

    def test_lifecycle(emulator):
        from azimagebuilder import ImageBuilderClient
        client = ImageBuilderClient(emulator.credential, emulator.subscription_id,
                                    base_url=emulator.base_url, connection_verify=emulator.ca_cert)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from azimagebuilder.emulator import Emulator, ManualClock

__all__ = ["emulator", "emulator_clock", "emulator_factory", "emulator_session", "emulator_with_clock"]


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Emulator]]:
    """A function that starts an emulator with the given keyword arguments (stopped after the test)."""
    from azimagebuilder.emulator import Emulator

    started: list[Emulator] = []

    def start(**kwargs: Any) -> Emulator:
        kwargs.setdefault("build_duration", 0)
        emu = Emulator(**kwargs).start()
        started.append(emu)
        return emu

    yield start
    for emu in reversed(started):
        emu.stop()


@pytest.fixture
def emulator(emulator_factory: Callable[..., Emulator]) -> Emulator:
    """A running emulator with instant builds."""
    return emulator_factory()


@pytest.fixture
def emulator_clock() -> ManualClock:
    """A manual clock for the emulator; move it with ``.advance(seconds)``."""
    from azimagebuilder.emulator import ManualClock

    return ManualClock()


@pytest.fixture
def emulator_with_clock(emulator_factory: Callable[..., Emulator], emulator_clock: ManualClock) -> Emulator:
    """A running emulator on ``emulator_clock``: creation takes 12 s, a build 60 s, a deletion 12 s."""
    return emulator_factory(build_duration=60, clock=emulator_clock)


@pytest.fixture(scope="session")
def emulator_session() -> Iterator[Emulator]:
    """One emulator with instant builds for the whole test session."""
    from azimagebuilder.emulator import Emulator

    with Emulator(build_duration=0) as emu:
        yield emu
