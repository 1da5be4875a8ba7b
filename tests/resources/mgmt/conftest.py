"""Record / replay harness of tests/resources/mgmt: the management calls around a build, on cassettes.

- Replay (the default, ``--record-mode=none``): no server. The helpers talk to https://management.azure.com
  with the fake subscription id and a fake credential; vcrpy answers from
  ``cassettes/resources_mgmt/<test module>/<test>.yaml``; long-running operations poll with interval 0.
- Record against the emulator: ``python -m pytest tests/resources/mgmt --record-mode=rewrite``. Each test
  gets its own emulator; the subscription id is already the fake one, because the helpers derive
  deterministic names (role assignment GUIDs) from scopes that contain it, and a replayed request must
  carry the same name as the recorded one.

Every test sets up what it needs through the Azure SDK (resource groups, images, galleries), so the setup
is on the cassette too and a replay needs no emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder.testing import cassettes

REPO_ROOT = Path(__file__).resolve().parents[3]
CASSETTES = REPO_ROOT / "cassettes" / "resources_mgmt"
LOCATION = "westus2"


@dataclass
class Mgmt:
    """Where management calls go: pass ``**mgmt.kwargs`` to any helper of azimagebuilder.resources."""

    target: str  # "replay" or "emulator"
    credential: Any
    subscription_id: str = cassettes.FAKE_SUBSCRIPTION_ID
    kwargs: dict[str, Any] = field(default_factory=dict)
    emulator: Any = None

    def scope(self, group: str) -> str:
        """The resource id of a resource group."""
        return f"/subscriptions/{self.subscription_id}/resourceGroups/{group}"

    # -- set-up through the Azure SDK (recorded with the test) --------------------------------------------
    def resource_client(self) -> Any:
        from azure.mgmt.resource.resources import ResourceManagementClient

        return ResourceManagementClient(self.credential, self.subscription_id, **self.kwargs)

    def compute_client(self) -> Any:
        from azure.mgmt.compute import ComputeManagementClient

        return ComputeManagementClient(self.credential, self.subscription_id, **self.kwargs)

    def auth_client(self) -> Any:
        from azure.mgmt.authorization import AuthorizationManagementClient

        return AuthorizationManagementClient(self.credential, self.subscription_id, **self.kwargs)

    def group(self, name: str, location: str = LOCATION) -> str:
        """Create a resource group; returns its id."""
        with self.resource_client() as client:
            client.resource_groups.create_or_update(name, {"location": location})
        return self.scope(name)

    def managed_image(self, group: str, name: str, location: str = LOCATION) -> str:
        """Create a managed image (the emulator needs no source disk); returns its id."""
        with self.compute_client() as client:
            image = client.images.begin_create_or_update(
                group, name, {"location": location, "properties": {}}, polling_interval=0
            ).result()
        image_id: str = image.id
        return image_id

    def gallery_image_version(
        self,
        group: str,
        gallery: str,
        definition: str,
        version: str,
        regions: list[str],
        location: str = LOCATION,
    ) -> str:
        """Create a gallery, an image definition and a version replicated to ``regions``; returns its id."""
        with self.compute_client() as client:
            client.galleries.begin_create_or_update(
                group, gallery, {"location": location, "properties": {}}, polling_interval=0
            ).result()
            client.gallery_images.begin_create_or_update(
                group,
                gallery,
                definition,
                {
                    "location": location,
                    "properties": {
                        "osType": "Linux",
                        "osState": "Generalized",
                        "identifier": {"publisher": "tests", "offer": definition, "sku": "1"},
                    },
                },
                polling_interval=0,
            ).result()
            body = {
                "location": location,
                "properties": {"publishingProfile": {"targetRegions": [{"name": r} for r in regions]}},
            }
            created = client.gallery_image_versions.begin_create_or_update(
                group, gallery, definition, version, body, polling_interval=0
            ).result()
        version_id: str = created.id
        return version_id

    def unregister(self, namespace: str) -> None:
        """Unregister a resource provider in the subscription (the emulator honours it at once)."""
        with self.resource_client() as client:
            client.providers.unregister(namespace)


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """cassettes/resources_mgmt/<test module>/."""
    return str(CASSETTES / Path(str(request.node.fspath)).stem)


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    return cassettes.vcr_config()


pytest_recording_configure = cassettes.pytest_recording_configure


@pytest.fixture(autouse=True)
def _replay_uses_every_answer(vcr: Any, record_mode: str) -> Iterator[None]:
    """On replay, every recorded answer must be asked for, in order."""
    yield
    if vcr is not None and record_mode == "none":
        cassettes.assert_all_played(vcr)


@pytest.fixture
def mgmt(record_mode: str, vcr_cassette_dir: str, default_cassette_name: str) -> Iterator[Mgmt]:
    """The replaying (or recording) target of this test's cassette."""
    target = cassettes.recording_target(record_mode)
    if target == "replay":
        cassette = Path(vcr_cassette_dir) / f"{default_cassette_name}.yaml"
        if not cassette.exists():
            pytest.fail(
                f"{cassette.relative_to(REPO_ROOT)} is missing: record it with "
                "`python -m pytest tests/resources/mgmt --record-mode=rewrite`"
            )
        yield Mgmt("replay", cassettes.ReplayCredential(), kwargs={"base_url": cassettes.REPLAY_ENDPOINT})
        return
    if target != "emulator":
        pytest.skip("these cassettes are recorded against the emulator only")
    from azimagebuilder.emulator import Emulator

    with Emulator(build_duration=0, subscription_id=cassettes.FAKE_SUBSCRIPTION_ID) as emulator:
        yield Mgmt(
            "emulator",
            emulator.credential,
            kwargs={"base_url": emulator.base_url, "connection_verify": emulator.ca_cert},
            emulator=emulator,
        )
