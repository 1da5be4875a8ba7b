"""Fixtures for the storage tests: the emulator with its artifacts in Azurite, a client, a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from storage_support import BUILD_SECONDS, Emulated

from azimagebuilder.resources._azurite_store import BlobArtifactStore
from azimagebuilder.testing.azurite import AzuriteBlob


@pytest.fixture
def emulated(azurite: AzuriteBlob) -> Iterator[Emulated]:
    """An emulator (manual clock) whose VHDs and logs land in Azurite's 'ibstaging' account, and a client."""
    import azimagebuilder as aib
    from azimagebuilder.emulator import Emulator, ManualClock

    staging = azurite.account("ibstaging")
    service = staging.service_client()
    for container in service.list_containers():  # each test starts with an empty staging account
        service.delete_container(container.name)
    store = BlobArtifactStore(staging.blob_endpoint, staging.credential, vhd_size=2 * 1024 * 1024 + 512)
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=timezone.utc))
    with (
        Emulator(artifacts=store, clock=clock, build_duration=BUILD_SECONDS) as emu,
        aib.ImageBuilderClient(
            emu.credential,
            emu.subscription_id,
            base_url=emu.base_url,
            connection_verify=emu.ca_cert,
            polling_interval=0,
        ) as client,
    ):
        yield Emulated(emu, client, clock, store, azurite)
