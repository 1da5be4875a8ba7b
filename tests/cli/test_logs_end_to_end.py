"""Build logs end to end against the emulator: nothing but the template's name and the ARM endpoint is given.

An emulator whose artifacts are blobs in Azurite runs a build that fails while customizing. Then
``azimagebuilder logs RG NAME --emulator ...`` (no ``--storage-url``) and ``find_log_location`` +
``download_customization_log`` (no ``storage_url``) must find the staging resource group
(Microsoft.Resources), its storage account (the group's resources) and the account's blob endpoint (a
Microsoft.Storage GET), and read the real customization.log the emulator wrote to Azurite.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import azimagebuilder as aib
from azimagebuilder.cli import main
from azimagebuilder.emulator import Emulator
from azimagebuilder.resources.logs import download_customization_log, find_log_location
from azimagebuilder.testing.azurite import AzuriteBlob, azurite  # noqa: F401 - registers the fixture

pytestmark = pytest.mark.azurite

RG, NAME = "rg", "tpl"
#: Lines the emulator writes into the log of a run that fails while customizing (the last customizer fails).
FAILING_LINES = (
    "PACKER OUT ==> azure-arm: Running provisioner: shell (install)",
    "PACKER OUT     azure-arm: (not run) apt-get install -y nginx",
    "PACKER OUT ==> azure-arm: Running provisioner: shell (smoke-test)",
    "PACKER ERR ==> azure-arm: Provisioning step had errors: smoke-test: exit status 1",
    "PACKER ERR Build 'azure-arm' errored: Script exited with non-zero exit status: 1",
)


def _template() -> aib.ImageTemplate:
    return aib.ImageTemplate(
        location="westus2",
        source=aib.PlatformImageSource(
            publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
        ),
        customize=[
            aib.ShellCustomizer(name="install", inline=["apt-get install -y nginx"]),
            aib.ShellCustomizer(name="smoke-test", inline=["curl -f http://localhost/"]),
        ],
        distribute=[aib.VhdDistributor(run_output_name="vhd")],
    )


@pytest.fixture
def failed_build(
    azurite: AzuriteBlob,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Emulator, str]]:
    """A running emulator (artifacts in Azurite's 'ibstaging') after a run that failed in Customizing.

    Yields the emulator and the failure's message (it names the log's URL).
    """
    staging = azurite.account("ibstaging")
    service = staging.service_client()
    for container in service.list_containers():  # only this test's logs in the staging account
        service.delete_container(container.name)
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    monkeypatch.delenv("AZURE_STORAGE_KEY", raising=False)
    with (
        Emulator(artifacts=azurite.artifact_store(), build_duration=0, scenario="fail:Customizing") as emu,
        aib.ImageBuilderClient(
            emu.credential,
            emu.subscription_id,
            base_url=emu.base_url,
            connection_verify=emu.ca_cert,
            polling_interval=0,
        ) as client,
    ):
        client.begin_create_or_update(RG, NAME, _template()).result()
        with pytest.raises(aib.BuildFailedError) as info:
            client.begin_run(RG, NAME).result()
        assert str(client.get(RG, NAME).last_run_status.run_sub_state) == "Customizing"
        yield emu, str(info.value)


def _logs(emu: Emulator, *extra: str) -> int:
    return main(
        [
            "logs", RG, NAME,
            "--emulator", "--base-url", emu.base_url, "--ca-cert", emu.ca_cert,
            "--subscription", emu.subscription_id,
            *extra,
        ]
    )  # fmt: skip


def test_the_command_finds_and_prints_the_failed_runs_log(
    failed_build: tuple[Emulator, str],
    azurite: AzuriteBlob,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emu, failure = failed_build
    staging = azurite.account("ibstaging")
    monkeypatch.setenv("AZURE_STORAGE_KEY", staging.key)  # the staging account's key, as a user would set it

    assert _logs(emu) == 0
    out = capsys.readouterr()
    assert out.err == ""
    lines = out.out.splitlines()
    assert lines[0].startswith("azimagebuilder emulator: simulated build log")
    for expected in FAILING_LINES:
        assert expected in lines
    assert lines[-1] == FAILING_LINES[-1]  # the run stopped there: nothing was distributed
    assert not any("Distributing" in line for line in lines)
    # It is the log the failure named, byte for byte as stored in Azurite.
    [blob] = list(staging.service_client().get_container_client("packerlogs").list_blobs())
    assert f"{staging.blob_endpoint}/packerlogs/{blob.name}" in failure
    stored = staging.service_client().get_blob_client("packerlogs", blob.name).download_blob().readall()
    assert out.out == stored.decode()
    assert staging.key not in out.out + out.err


def test_without_the_key_the_command_says_why(
    failed_build: tuple[Emulator, str],
    azurite: AzuriteBlob,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The endpoint is found through ARM, but Azurite (http) cannot take a token: an error, no traceback."""
    emu, _ = failed_build
    assert _logs(emu) == 1
    out = capsys.readouterr()
    assert out.out == ""
    endpoint = azurite.account("ibstaging").blob_endpoint
    assert out.err == (
        f"azimagebuilder logs: the staging account's blob endpoint {endpoint} is not https, so an Azure "
        "token cannot be sent to it: set $AZURE_STORAGE_KEY to its key or give --storage-url with a SAS\n"
    )


def test_the_python_helpers_find_and_download_the_log(
    failed_build: tuple[Emulator, str],
    azurite: AzuriteBlob,  # noqa: F811
) -> None:
    emu, failure = failed_build
    staging = azurite.account("ibstaging")
    pipeline: dict[str, Any] = {"connection_verify": emu.ca_cert}

    where = find_log_location(
        emu.credential,
        emu.subscription_id,
        RG,
        NAME,
        base_url=emu.base_url,
        storage_credential=staging.credential,
        **pipeline,
    )
    # The endpoint came from the storage account's primaryEndpoints.blob, not the public-cloud fallback.
    assert where.account_url == staging.blob_endpoint
    assert where.staging_resource_group is not None
    assert where.staging_resource_group.startswith(f"IT_{RG}_{NAME}_")
    assert where.url in failure

    text = download_customization_log(where, credential=staging.credential)
    lines = text.splitlines()
    for expected in FAILING_LINES:
        assert expected in lines
    assert f"run: {where.run_id}" in text.splitlines()[2]
