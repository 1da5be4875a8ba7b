"""Record / replay harness of tests/recorded: every client operation against cassettes in cassettes/.

- Replay (the default, ``--record-mode=none``): no server at all. The client talks to
  https://management.azure.com with the fake subscription id and a fake credential; vcrpy answers from
  ``cassettes/<test module>/<test>.yaml``; the transport never sleeps, so polls cost nothing.
- Record against the emulator: ``python -m pytest tests/recorded --record-mode=rewrite``. Each test gets
  its own emulator (configured by its ``recording`` marker: scenario, faults, api-versions).
- Record against live Azure: ``AZIMAGEBUILDER_RECORD_TARGET=azure python -m pytest tests/recorded
  --record-mode=rewrite`` with AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP, AZURE_IMAGE_BUILDER_IDENTITY
  and credentials DefaultAzureCredential finds. Tests marked ``recording(live=False)`` (fault injection
  and scenarios Azure cannot be made to produce) are skipped and keep their emulator cassettes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder._constants import CURRENT_STABLE_API_VERSION, DEFAULT_API_VERSION
from azimagebuilder.testing import cassettes

REPO_ROOT = Path(__file__).resolve().parents[2]
CASSETTES = REPO_ROOT / "cassettes"

#: The names every cassette shows, whatever the recording session used.
RESOURCE_GROUP = "azimagebuilder-tests"
IDENTITY_NAME = "azimagebuilder-identity"
LOCATION = "westus2"

# Emulator recording: short real-time builds, polled often enough to see every phase.
EMULATOR_BUILD_SECONDS = 2.0
EMULATOR_POLL_SECONDS = 0.2
LIVE_POLL_SECONDS = 15.0
LIVE_ENVIRONMENT = ("AZURE_SUBSCRIPTION_ID", "AZURE_RESOURCE_GROUP", "AZURE_IMAGE_BUILDER_IDENTITY")


@dataclass
class Session:
    """What the tests of one cassette talk to, and how to make clients for it."""

    target: str  # "replay", "emulator" or "azure"
    recorded_against: str  # "emulator" or "azure": what the cassette holds (or will hold)
    subscription_id: str
    api_version: str
    resource_group: str = RESOURCE_GROUP
    location: str = LOCATION
    identity: dict[str, Any] | None = None
    emulator: Any = None
    client_kwargs: dict[str, Any] = field(default_factory=dict)
    _credentials: tuple[Any, Any] = (None, None)

    @property
    def recording(self) -> bool:
        return self.target != "replay"

    def _kwargs(self, overrides: dict[str, Any], *, aio: bool) -> dict[str, Any]:
        kwargs = {"api_version": self.api_version, **self.client_kwargs, **overrides}
        if self.target == "replay" and "transport" not in kwargs:
            kwargs["transport"] = cassettes.async_replay_transport() if aio else cassettes.replay_transport()
        return kwargs

    def client(self, **overrides: Any) -> Any:
        """A sync ``ImageBuilderClient`` for this session (``overrides``: client keyword arguments)."""
        from azimagebuilder import ImageBuilderClient

        return ImageBuilderClient(
            self._credentials[0], self.subscription_id, **self._kwargs(overrides, aio=False)
        )

    def aio_client(self, **overrides: Any) -> Any:
        """An ``azimagebuilder.aio.ImageBuilderClient`` for this session."""
        from azimagebuilder.aio import ImageBuilderClient

        return ImageBuilderClient(
            self._credentials[1], self.subscription_id, **self._kwargs(overrides, aio=True)
        )

    def template(self, *, inline: tuple[str, ...] = ("echo hello",), **changes: Any) -> Any:
        """The template the recorded tests build: Ubuntu, one shell step, a VHD output."""
        import azimagebuilder as aib

        fields: dict[str, Any] = {
            "location": self.location,
            "source": aib.PlatformImageSource(
                publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
            ),
            "customize": [aib.ShellCustomizer(name="hello", inline=list(inline))],
            "distribute": [aib.VhdDistributor(run_output_name="vhd")],
        }
        if self.identity is not None:
            fields["identity"] = self.identity
        fields.update(changes)
        return aib.ImageTemplate(**fields)


def _identity_body(resource_id: str) -> dict[str, Any]:
    return {"type": "UserAssigned", "userAssignedIdentities": {resource_id: {}}}


def _canonical_identity_id() -> str:
    return (
        f"/subscriptions/{cassettes.FAKE_SUBSCRIPTION_ID}/resourceGroups/{RESOURCE_GROUP}"
        f"/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{IDENTITY_NAME}"
    )


def _marker_kwargs(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("recording")
    return dict(marker.kwargs) if marker else {}


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture: in rewrite mode the vcr fixture deletes the cassette it is about to record,
    # so a test that cannot be recorded live must be skipped before it gets there.
    record_mode = item.config.getoption("--record-mode") or "none"
    if cassettes.recording_target(record_mode) != "azure":
        return
    marker = item.get_closest_marker("recording")
    if marker is not None and not marker.kwargs.get("live", True):
        pytest.skip(
            "emulator-only scenario (fault injection or a build outcome Azure cannot be made to give)"
        )
    missing = [name for name in LIVE_ENVIRONMENT if not os.environ.get(name)]
    if missing:  # fail before the cassette is emptied for re-recording
        pytest.fail(f"recording against live Azure needs {', '.join(missing)} (see cassettes/README.md)")
    # Each live test starts from an empty resource group, as each emulator test starts from a new
    # emulator. Done here, before the cassette opens, so the clean-up is not recorded.
    _delete_live_templates()


def pytest_sessionfinish(session: pytest.Session) -> None:
    record_mode = session.config.getoption("--record-mode", None) or "none"
    if session.testscollected and cassettes.recording_target(record_mode) == "azure":
        _delete_live_templates()


def _delete_live_templates() -> None:
    """Delete every image template in $AZURE_RESOURCE_GROUP (a group kept for these recordings)."""
    subscription_id = os.environ.get("AZURE_SUBSCRIPTION_ID")
    resource_group = os.environ.get("AZURE_RESOURCE_GROUP")
    if not subscription_id or not resource_group:
        return  # the session fixture says what is missing
    from azure.identity import DefaultAzureCredential

    from azimagebuilder import ImageBuilderClient

    api_version = os.environ.get("AZIMAGEBUILDER_API_VERSION", CURRENT_STABLE_API_VERSION)
    with ImageBuilderClient(
        DefaultAzureCredential(), subscription_id, api_version=api_version, polling_interval=LIVE_POLL_SECONDS
    ) as client:
        for template in list(client.list(resource_group)):
            if template.name:
                client.begin_delete(resource_group, template.name, force=True).result()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """cassettes/<test module>/ at the top of the repository."""
    return str(CASSETTES / Path(str(request.node.fspath)).stem)


@pytest.fixture
def vcr_config(record_mode: str) -> dict[str, Any]:
    replacements: dict[str, str] = {}
    if cassettes.recording_target(record_mode) == "azure":
        # Real names -> the names replay uses (the subscription id is scrubbed by the standard rules).
        for variable, canonical in (
            ("AZURE_RESOURCE_GROUP", RESOURCE_GROUP),
            ("AZURE_IMAGE_BUILDER_IDENTITY", _canonical_identity_id()),
        ):
            if os.environ.get(variable):
                replacements[os.environ[variable]] = canonical
    return cassettes.vcr_config(replacements=replacements)


pytest_recording_configure = cassettes.pytest_recording_configure


@pytest.fixture(autouse=True)
def _replay_uses_every_answer(vcr: Any, record_mode: str) -> Iterator[None]:
    """On replay, every recorded answer must be asked for, in order: polls included, none skipped."""
    yield
    if vcr is not None and record_mode == "none":
        cassettes.assert_all_played(vcr)


@pytest.fixture
def session(
    request: pytest.FixtureRequest, record_mode: str, vcr_cassette_dir: str, default_cassette_name: str
) -> Iterator[Session]:
    """The recording or replaying session of this test's cassette."""
    target = cassettes.recording_target(record_mode)
    options = _marker_kwargs(request)
    options.pop("live", None)
    api_version = options.pop("api_version", None)
    if target == "replay":
        yield _replay_session(Path(vcr_cassette_dir) / f"{default_cassette_name}.yaml", api_version)
    elif target == "emulator":
        yield from _emulator_session(api_version, options)
    else:
        yield _azure_session(api_version)


def _replay_session(cassette: Path, api_version: str | None) -> Session:
    provenance = cassettes.read_provenance(cassette)
    if provenance is None:
        pytest.fail(
            f"{cassette.relative_to(REPO_ROOT)} is missing: record it with "
            "`python -m pytest tests/recorded --record-mode=rewrite` (see cassettes/README.md)"
        )
    recorded_versions = provenance.get("api_versions") or [DEFAULT_API_VERSION]
    live = provenance.get("against") == "azure"
    return Session(
        target="replay",
        recorded_against=str(provenance.get("against")),
        subscription_id=cassettes.FAKE_SUBSCRIPTION_ID,
        api_version=api_version or recorded_versions[0],
        identity=_identity_body(_canonical_identity_id()) if live else None,
        client_kwargs={"base_url": cassettes.REPLAY_ENDPOINT, "polling_interval": 0},
        _credentials=(cassettes.ReplayCredential(), cassettes.AsyncReplayCredential()),
    )


def _emulator_session(api_version: str | None, options: dict[str, Any]) -> Iterator[Session]:
    from azimagebuilder.emulator import Emulator, FaultRule

    faults = [FaultRule(**rule) for rule in options.pop("faults", [])]
    options.setdefault("build_duration", EMULATOR_BUILD_SECONDS)
    # A subscription id that is not the fake one, so the cassettes prove it is scrubbed.
    subscription_id = str(uuid.uuid4())
    with Emulator(subscription_id=subscription_id, faults=faults, **options) as emulator:
        yield Session(
            target="emulator",
            recorded_against="emulator",
            subscription_id=subscription_id,
            api_version=api_version or DEFAULT_API_VERSION,
            emulator=emulator,
            client_kwargs={
                "base_url": emulator.base_url,
                "polling_interval": EMULATOR_POLL_SECONDS,
                "connection_verify": emulator.ca_cert,
            },
            _credentials=(emulator.credential, emulator.async_credential),
        )


def _azure_session(api_version: str | None) -> Session:
    from azure.identity import DefaultAzureCredential
    from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential

    return Session(
        target="azure",
        recorded_against="azure",
        subscription_id=os.environ["AZURE_SUBSCRIPTION_ID"],
        # Azure no longer serves the preview api-versions; identity is required since 2020-02-14.
        api_version=api_version or os.environ.get("AZIMAGEBUILDER_API_VERSION", CURRENT_STABLE_API_VERSION),
        resource_group=os.environ["AZURE_RESOURCE_GROUP"],
        identity=_identity_body(os.environ["AZURE_IMAGE_BUILDER_IDENTITY"]),
        client_kwargs={"polling_interval": LIVE_POLL_SECONDS},
        _credentials=(DefaultAzureCredential(), AsyncDefaultAzureCredential()),
    )
