"""Resource provider registration checks and registration, replayed from cassettes."""

from __future__ import annotations

from typing import Any

import pytest

from azimagebuilder.resources.providers import (
    IMAGE_BUILDER_PROVIDERS,
    ProviderRegistrationTimeout,
    ProviderStatus,
    check_providers,
    register_providers,
)

pytestmark = pytest.mark.vcr


def test_check_providers_reads_each_namespace(mgmt: Any) -> None:
    statuses = check_providers(mgmt.credential, mgmt.subscription_id, **mgmt.kwargs)
    assert [s.namespace for s in statuses] == list(IMAGE_BUILDER_PROVIDERS)
    assert all(s.registered for s in statuses)


def test_check_providers_sees_an_unregistered_one(mgmt: Any) -> None:
    mgmt.unregister("Microsoft.VirtualMachineImages")
    statuses = check_providers(mgmt.credential, mgmt.subscription_id, **mgmt.kwargs)
    assert statuses[0] == ProviderStatus("Microsoft.VirtualMachineImages", "NotRegistered")
    assert all(s.registered for s in statuses[1:])


def test_unknown_namespace_reads_not_found(mgmt: Any) -> None:
    [status] = check_providers(
        mgmt.credential, mgmt.subscription_id, ["Microsoft.DoesNotExist"], **mgmt.kwargs
    )
    assert status.registration_state == "NotFound"
    assert not status.registered


def test_register_providers_registers_only_what_is_missing_and_waits(mgmt: Any) -> None:
    mgmt.unregister("Microsoft.VirtualMachineImages")
    waits: list[float] = []
    statuses = register_providers(
        mgmt.credential, mgmt.subscription_id, polling_interval=0.5, sleep=waits.append, **mgmt.kwargs
    )
    assert all(s.registered for s in statuses)
    assert waits == [0.5]  # one poll still read "Registering"


def test_register_providers_without_waiting(mgmt: Any) -> None:
    mgmt.unregister("Microsoft.KeyVault")
    statuses = register_providers(
        mgmt.credential, mgmt.subscription_id, ["Microsoft.KeyVault"], wait=False, **mgmt.kwargs
    )
    assert statuses == [ProviderStatus("Microsoft.KeyVault", "Registering")]


def test_register_providers_times_out(mgmt: Any) -> None:
    mgmt.unregister("Microsoft.Storage")
    with pytest.raises(ProviderRegistrationTimeout) as caught:
        register_providers(
            mgmt.credential,
            mgmt.subscription_id,
            ["Microsoft.Storage"],
            timeout=0,
            sleep=lambda _: None,
            **mgmt.kwargs,
        )
    assert caught.value.statuses == [ProviderStatus("Microsoft.Storage", "Registering")]
    assert "Microsoft.Storage (Registering)" in str(caught.value)


def test_provider_status_compares_case_insensitively() -> None:
    assert ProviderStatus("Microsoft.Compute", "registered").registered
    assert not ProviderStatus("Microsoft.Compute", "Registering").registered
