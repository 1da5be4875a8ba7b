"""Helpers for the storage tests: templates, runs on the manual clock, fresh containers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest

from azimagebuilder.resources._azurite_store import BlobArtifactStore
from azimagebuilder.testing.azurite import AzuriteBlob

#: One run lasts this long on the emulator's manual clock.
BUILD_SECONDS = 600


@dataclass
class Emulated:
    """An emulator whose VHDs and logs are blobs in Azurite's 'ibstaging' account, and a client on it."""

    emulator: Any
    client: Any
    clock: Any
    store: BlobArtifactStore
    azurite: AzuriteBlob

    @property
    def staging_url(self) -> str:
        return self.azurite.account("ibstaging").blob_endpoint

    @property
    def staging_credential(self) -> dict[str, str]:
        return self.azurite.account("ibstaging").credential


def vhd_template(
    run_output_name: str = "vhd", customizers: int = 3, tags: dict[str, str] | None = None
) -> Any:
    import azimagebuilder as aib

    return aib.ImageTemplate(
        location="westus2",
        source=aib.PlatformImageSource(
            publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
        ),
        customize=[
            aib.ShellCustomizer(name=f"step{i}", inline=[f"echo step {i}"]) for i in range(customizers)
        ],
        distribute=[aib.VhdDistributor(run_output_name=run_output_name)],
        tags=tags,
    )


def create_template(env: Emulated, name: str, template: Any = None) -> None:
    poller = env.client.begin_create_or_update("rg", name, template or vhd_template())
    env.clock.advance(BUILD_SECONDS)
    poller.result()


def run_to_end(env: Emulated, name: str) -> Any:
    """Run the template and move the clock past the build; returns the final run status."""
    poller = env.client.begin_run("rg", name)
    env.clock.advance(BUILD_SECONDS + 1)
    return poller.result()


def container_for(azurite: AzuriteBlob, account: str, request: pytest.FixtureRequest, prefix: str) -> str:
    """A fresh container named after the test; returns its URL."""
    name = prefix + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:20]
    azurite.service_client(account).create_container(name)
    return f"{azurite.account(account).blob_endpoint}/{name}"
