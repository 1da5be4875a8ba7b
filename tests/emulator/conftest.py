"""Raw-HTTP helpers for the emulator's conformance tests: plain ``requests``, never the library's client.

The real service's behaviour these tests hold the emulator to is in ../shared/reference: SERVICE-BEHAVIOUR.md
and the Azure CLI recordings in azure-cli-recordings/ (named in each test's docstring). The fixture bodies
below are written for these tests; nothing is copied from the recordings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from emulator_support import Arm

from azimagebuilder.emulator import Emulator, ManualClock


@pytest.fixture
def make_arm() -> Iterator[Callable[..., Arm]]:
    """Start an emulator with the given arguments (instant by default) and return an Arm bound to it."""
    made: list[tuple[Emulator, Arm]] = []

    def make(**kwargs: Any) -> Arm:
        kwargs.setdefault("build_duration", 0)
        emulator = Emulator(**kwargs).start()
        arm = Arm(emulator)
        made.append((emulator, arm))
        return arm

    yield make
    for emulator, arm in made:
        arm.session.close()
        emulator.stop()


@pytest.fixture
def arm(make_arm: Callable[..., Arm]) -> Arm:
    """An emulator with instant builds."""
    return make_arm()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def slow_arm(make_arm: Callable[..., Arm], clock: ManualClock) -> Arm:
    """An emulator on a manual clock: creation 20 s, build 100 s (phases 10/30/40/20 s), deletion 20 s."""
    return make_arm(build_duration=100, clock=clock)
