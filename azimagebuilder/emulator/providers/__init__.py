"""Provider modules: each serves the routes of one Azure resource provider on the emulator's router.

A provider module is any module with a ``register(router, context)`` function; the built-in ones each
define a :class:`Provider` subclass with a route table (:class:`RouteSpec` rows) and
``register = X.registrar()``. The emulator loads the modules named in :data:`DEFAULT_PROVIDERS` that
exist (so a provider added later is picked up without touching the server), then any extra ones given as
``Emulator(providers=[...])``. See docs/emulator.md, "Adding a provider".

Example:
    >>> from azimagebuilder.emulator.providers import DEFAULT_PROVIDERS
    >>> DEFAULT_PROVIDERS[0]
    'azimagebuilder.emulator.providers.imagebuilder'
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

from ..._constants import KNOWN_API_VERSIONS
from .._artifacts import ArtifactStore
from .._clock import Clock
from .._state import StateStore

if TYPE_CHECKING:
    from .._router import Router

__all__ = [
    "DEFAULT_PROVIDERS",
    "EmulatorSettings",
    "Provider",
    "ProviderContext",
    "ProviderModule",
    "RouteSpec",
    "load_providers",
]

#: Loaded in this order when present. Image Builder is this package's; the others are the resources a
#: build touches (resource groups, images and galleries, identities, role assignments).
DEFAULT_PROVIDERS: tuple[str, ...] = (
    "azimagebuilder.emulator.providers.imagebuilder",
    "azimagebuilder.emulator.providers.resources",
    "azimagebuilder.emulator.providers.compute",
    "azimagebuilder.emulator.providers.msi",
    "azimagebuilder.emulator.providers.authorization",
    "azimagebuilder.emulator.providers.storage",
)


@dataclass(frozen=True)
class EmulatorSettings:
    """How the emulated service behaves (fixed for an emulator's lifetime).

    Attributes:
        build_duration: seconds a run takes, split across Queued/Building/Customizing/Distributing.
        create_duration: seconds from PUT until provisioningState Succeeded.
        delete_duration: seconds from DELETE until the template is gone.
        api_versions: the Image Builder api-versions served.
        scenario: the server-wide build scenario (a template's scenario tag overrides it).
        page_size: items per page of list answers.
        subscription_id: the convenience default subscription (any subscription id is accepted).
        script_fetcher: returns a script's bytes for its URI, for ``sha256Checksum``; None hashes the URI.
    """

    build_duration: float = 3.0
    create_duration: float = 0.5
    delete_duration: float = 0.5
    api_versions: frozenset[str] = field(default_factory=lambda: frozenset(KNOWN_API_VERSIONS))
    scenario: str | None = None
    page_size: int = 100
    subscription_id: str = "00000000-0000-0000-0000-000000000000"
    script_fetcher: Callable[[str], bytes] | None = None


@dataclass(frozen=True)
class ProviderContext:
    """What the emulator hands each provider's ``register``: shared state, time, artifacts, settings."""

    state: StateStore
    clock: Clock
    artifacts: ArtifactStore
    settings: EmulatorSettings
    base_url: str


class ProviderModule(Protocol):
    """The shape of a provider module."""

    def register(self, router: Router, context: ProviderContext) -> None:
        """Add this provider's routes to ``router``."""
        ...


def load_providers(names: Iterable[str]) -> list[ModuleType]:
    """Import the named provider modules that exist; a missing *default* module is skipped quietly.

    Raises:
        ModuleNotFoundError: a name outside :data:`DEFAULT_PROVIDERS` that cannot be found.
    """
    modules: list[ModuleType] = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        if name in DEFAULT_PROVIDERS and importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        if not callable(getattr(module, "register", None)):
            raise TypeError(f"provider module {name} has no register(router, context) function")
        modules.append(module)
    return modules


from ._base import Provider, RouteSpec  # noqa: E402 - after ProviderContext, which _base refers to
