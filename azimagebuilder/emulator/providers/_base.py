"""The one shape of an emulator provider: a class holding the shared state, with a route table.

Each provider module defines a :class:`Provider` subclass whose ``ROUTES`` lists its routes as data
(:class:`RouteSpec`: method, path, route name, handler method, and the first api-version that serves it),
and exposes ``register = MyProvider.registrar()``. The base class registers the routes on the router with the
api-versions each one is served at, so "which versions serve this route" is read in one table.

Example:
    >>> from azimagebuilder.emulator._router import Response
    >>> class Hello(Provider):
    ...     namespace = "Contoso.Hello"
    ...     ROUTES = (RouteSpec("GET", "/subscriptions/{subscriptionId}/hello", "hello.get", "get"),)
    ...     def get(self, request, params):
    ...         return Response.json(200, {"hello": params["subscriptionId"]})
    >>> Hello.ROUTES[0].served(frozenset({"2020-01-01"})) == frozenset({"2020-01-01"})
    True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .._router import Router

if TYPE_CHECKING:
    from . import ProviderContext

__all__ = ["OWN_NAMESPACE", "Provider", "RouteSpec", "at_least"]

#: ``RouteSpec.namespace`` default: the provider's own namespace.
OWN_NAMESPACE = "<provider>"


def at_least(api_version: str, floor: str) -> bool:
    """Whether ``api_version`` is ``floor`` or newer (dates compared; ``-preview`` sorts with its date)."""
    return api_version[:10] >= floor[:10]


@dataclass(frozen=True)
class RouteSpec:
    """One route of a provider's table.

    Attributes:
        method, path: what the route answers (``{name}`` placeholders become path parameters).
        name: the route's name (fault rules and logs use it).
        handler: the name of the provider method that answers it, ``(request, params) -> Response``.
        since: the first api-version that serves the route (``None``: every version the provider serves).
        namespace: the resource provider namespace the route belongs to (registration checks);
            :data:`OWN_NAMESPACE` for the provider's own, ``None`` for none (``/providers/.../operations``).
    """

    method: str
    path: str
    name: str
    handler: str
    since: str | None = None
    namespace: str | None = OWN_NAMESPACE

    def served(self, versions: frozenset[str] | None) -> frozenset[str] | None:
        """The api-versions that serve this route, of the provider's ``versions`` (``None``: any)."""
        if versions is None or self.since is None:
            return versions
        since = self.since
        return frozenset(v for v in versions if at_least(v, since))


class Provider:
    """Base of every emulator provider: the context's state, clock and settings, and the route table."""

    #: The provider's resource provider namespace (``Microsoft.Compute``).
    namespace: ClassVar[str] = ""
    #: The provider's routes.
    ROUTES: ClassVar[tuple[RouteSpec, ...]] = ()

    def __init__(self, context: ProviderContext) -> None:
        self.ctx = context
        self.store = context.state
        self.settings = context.settings

    def api_versions(self) -> frozenset[str] | None:
        """The api-versions this provider serves; ``None``: any well-formed one (the default)."""
        return None

    def register(self, router: Router) -> None:
        """Add every route of ``ROUTES`` to ``router``, each with the api-versions that serve it."""
        versions = self.api_versions()
        for spec in self.ROUTES:
            namespace = self.namespace if spec.namespace == OWN_NAMESPACE else spec.namespace
            router.add(
                spec.method,
                spec.path,
                getattr(self, spec.handler),
                name=spec.name,
                namespace=namespace or None,
                api_versions=spec.served(versions),
            )

    @classmethod
    def registrar(cls) -> Callable[[Router, ProviderContext], None]:
        """The module-level ``register(router, context)`` the emulator calls."""

        def register(router: Router, context: ProviderContext) -> None:
            cls(context).register(router)

        register.__doc__ = f"Add the {cls.namespace or cls.__name__} routes to ``router``."
        return register
