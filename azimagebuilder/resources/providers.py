"""Resource provider registration: is the subscription ready for Image Builder?

A subscription must be registered with ``Microsoft.VirtualMachineImages`` before the service accepts a
template; until then the service answers ``404`` or ``MissingSubscriptionRegistration``. Image Builder also
uses ``Microsoft.Compute`` (images, galleries), ``Microsoft.Storage`` (scripts, logs, VHDs) and
``Microsoft.KeyVault`` (the build VM's secrets). Registration is per subscription, takes from seconds to a
few minutes, and needs the ``*/register/action`` permission (Contributor or Owner on the subscription).

Example:
    >>> from azimagebuilder.resources.providers import check_providers, register_providers
    >>> statuses = check_providers(credential, "<subscription-id>")  # doctest: +SKIP
    >>> [s.namespace for s in statuses if not s.registered]  # doctest: +SKIP
    ['Microsoft.VirtualMachineImages']
    >>> register_providers(credential, "<subscription-id>")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._constants import ARM_ENDPOINT

if TYPE_CHECKING:  # pragma: no cover
    from azure.core.credentials import TokenCredential

__all__ = [
    "IMAGE_BUILDER_PROVIDERS",
    "ProviderRegistrationTimeout",
    "ProviderStatus",
    "check_providers",
    "register_providers",
]

_LOG = logging.getLogger("azimagebuilder.resources.providers")

#: The resource providers an Image Builder build relies on, in the order they are checked.
IMAGE_BUILDER_PROVIDERS: tuple[str, ...] = (
    "Microsoft.VirtualMachineImages",
    "Microsoft.Compute",
    "Microsoft.Storage",
    "Microsoft.KeyVault",
)


@dataclass(frozen=True)
class ProviderStatus:
    """The registration state of one resource provider in one subscription.

    ``registration_state`` is the service's open string: ``Registered``, ``NotRegistered``,
    ``Registering``, ``Unregistering`` (or ``NotFound`` when the namespace does not exist).

    Example:
        >>> ProviderStatus("Microsoft.Compute", "Registered").registered
        True
    """

    namespace: str
    registration_state: str

    @property
    def registered(self) -> bool:
        """True when the subscription can use the provider now."""
        return self.registration_state.lower() == "registered"


class ProviderRegistrationTimeout(TimeoutError):
    """Registration did not finish in time; ``.statuses`` holds the last states seen."""

    def __init__(self, statuses: Sequence[ProviderStatus], timeout: float) -> None:
        self.statuses = list(statuses)
        pending = ", ".join(f"{s.namespace} ({s.registration_state})" for s in statuses if not s.registered)
        super().__init__(
            f"resource providers still not registered after {timeout:g} s: {pending}; registration can take "
            "a few minutes, check again later with check_providers()"
        )


@contextlib.contextmanager
def _mgmt_client(
    client_type: Callable[..., Any],
    credential: TokenCredential,
    subscription_id: str,
    base_url: str,
    kwargs: Any,
) -> Iterator[Any]:
    """An azure-mgmt client for one helper call, closed at the end.

    A helper may make several clients; a ``transport`` the caller passed is shared by all of them, so it is
    left open (azure-core refuses to reopen a closed transport): its owner closes it.
    """
    client = client_type(credential, subscription_id, base_url=base_url, **kwargs)
    if "transport" in kwargs:
        yield client
        return
    with client:
        yield client


def _resource_client(
    credential: TokenCredential, subscription_id: str, base_url: str, kwargs: Any
) -> contextlib.AbstractContextManager[Any]:
    from azure.mgmt.resource.resources import ResourceManagementClient

    return _mgmt_client(ResourceManagementClient, credential, subscription_id, base_url, kwargs)


def _status(client: Any, namespace: str) -> ProviderStatus:
    from azure.core.exceptions import ResourceNotFoundError

    try:
        provider = client.providers.get(namespace)
    except ResourceNotFoundError:
        return ProviderStatus(namespace, "NotFound")
    return ProviderStatus(provider.namespace or namespace, provider.registration_state or "Unknown")


def check_providers(
    credential: TokenCredential,
    subscription_id: str,
    namespaces: Iterable[str] = IMAGE_BUILDER_PROVIDERS,
    *,
    base_url: str = ARM_ENDPOINT,
    **kwargs: Any,
) -> list[ProviderStatus]:
    """Read the registration state of each provider (``GET /subscriptions/{id}/providers/{namespace}``).

    Needs ``Microsoft.Resources/subscriptions/providers/read`` (Reader on the subscription). ``kwargs`` go to
    the azure-mgmt-resource client's pipeline (for example ``connection_verify`` or ``transport``).

    Example:
        >>> check_providers(credential, sub, ["Microsoft.Compute"])  # doctest: +SKIP
        [ProviderStatus(namespace='Microsoft.Compute', registration_state='Registered')]
    """
    with _resource_client(credential, subscription_id, base_url, kwargs) as client:
        return [_status(client, namespace) for namespace in namespaces]


def register_providers(
    credential: TokenCredential,
    subscription_id: str,
    namespaces: Iterable[str] = IMAGE_BUILDER_PROVIDERS,
    *,
    wait: bool = True,
    timeout: float = 600.0,
    polling_interval: float = 10.0,
    base_url: str = ARM_ENDPOINT,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> list[ProviderStatus]:
    """Register the providers that are not registered yet, and (by default) wait until they are.

    Providers already registered are left alone (no POST). Registration is asynchronous on Azure's side:
    with ``wait=True`` this polls ``GET .../providers/{namespace}`` every ``polling_interval`` seconds until
    each reads ``Registered``, raising :class:`ProviderRegistrationTimeout` after ``timeout`` seconds.
    Needs ``*/register/action`` on the subscription (Contributor or Owner).

    Example:
        >>> statuses = register_providers(credential, sub, polling_interval=0)  # doctest: +SKIP
        >>> all(s.registered for s in statuses)  # doctest: +SKIP
        True
    """
    names = list(namespaces)
    with _resource_client(credential, subscription_id, base_url, kwargs) as client:
        statuses = [_status(client, namespace) for namespace in names]
        for status in statuses:
            if not status.registered:
                _LOG.info("registering resource provider %s", status.namespace)
                client.providers.register(status.namespace)
        if not wait:
            return [_status(client, namespace) for namespace in names]
        deadline = time.monotonic() + timeout
        while True:
            statuses = [_status(client, namespace) for namespace in names]
            if all(s.registered for s in statuses):
                return statuses
            if time.monotonic() >= deadline:
                raise ProviderRegistrationTimeout(statuses, timeout)
            sleep(polling_interval)
