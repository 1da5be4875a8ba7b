"""A local emulator of Azure VM Image Builder (``Microsoft.VirtualMachineImages``), faithful on the wire.

Think Azurite or moto: an HTTPS server on 127.0.0.1 that answers the ARM protocol of image templates
(create, get, list, tag, delete, run, run outputs, operation status) with the status codes, headers and
bodies recorded from the real service, simulating builds on a clock tests control. Nothing of it is
imported by ``import azimagebuilder``.

Example:
    >>> from azimagebuilder.emulator import Emulator
    >>> with Emulator(build_duration=0) as emu:
    ...     emu.base_url.startswith("https://127.0.0.1:")
    True
"""

from __future__ import annotations

from ._artifacts import ArtifactStore, MemoryArtifactStore
from ._clock import Clock, ManualClock, SystemClock
from ._emulator import Emulator
from ._faults import FaultPlan, FaultRule, parse_fault
from ._router import ArmError, Request, Response, Route, Router
from ._state import StateFileError, StateStore
from .providers import EmulatorSettings, ProviderContext
from .providers.imagebuilder import SCENARIO_TAG

__all__ = [
    "SCENARIO_TAG",
    "ArmError",
    "ArtifactStore",
    "Clock",
    "Emulator",
    "EmulatorSettings",
    "FaultPlan",
    "FaultRule",
    "ManualClock",
    "MemoryArtifactStore",
    "ProviderContext",
    "Request",
    "Response",
    "Route",
    "Router",
    "StateFileError",
    "StateStore",
    "SystemClock",
    "parse_fault",
]
