"""`azimagebuilder logs`: print and follow a real customization.log in Azurite, written by an emulator run."""

from __future__ import annotations

import threading

import pytest

from azimagebuilder.cli import main
from azimagebuilder.resources._azurite_store import BlobArtifactStore
from azimagebuilder.resources.logs import download_customization_log, latest_run_id
from azimagebuilder.testing.azurite import AzuriteBlob, azurite  # noqa: F401 - registers the fixture

pytestmark = pytest.mark.azurite


@pytest.fixture
def staging(azurite: AzuriteBlob, monkeypatch: pytest.MonkeyPatch) -> tuple[str, BlobArtifactStore]:  # noqa: F811
    """The staging stand-in account, emptied, with its key in AZURE_STORAGE_KEY as a user would set it."""
    account = azurite.account("ibstaging")
    service = account.service_client()
    for container in service.list_containers():
        service.delete_container(container.name)
    monkeypatch.setenv("AZURE_STORAGE_KEY", account.key)
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    return account.blob_endpoint, BlobArtifactStore(account.blob_endpoint, account.credential)


def test_prints_the_newest_log_or_a_given_run(
    staging: tuple[str, BlobArtifactStore],
    capsys: pytest.CaptureFixture[str],
    azurite: AzuriteBlob,  # noqa: F811
) -> None:
    url, store = staging
    store.put_log("IT_rg_tpl_x", "run-a", "first\n")
    store.put_log("IT_rg_tpl_x", "run-b", "second\nPACKER ERR exit status 1\n")

    assert main(["logs", "rg", "tpl", "--storage-url", url]) == 0
    out = capsys.readouterr()
    assert out.out == "second\nPACKER ERR exit status 1\n"

    assert main(["logs", "rg", "tpl", "--storage-url", url, "--run-id", "run-a"]) == 0
    out = capsys.readouterr()
    assert out.out == "first\n"
    assert azurite.account("ibstaging").key not in out.out + out.err


def test_missing_log_is_an_error_not_a_traceback(
    staging: tuple[str, BlobArtifactStore], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = staging
    assert main(["logs", "rg", "tpl", "--storage-url", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("azimagebuilder logs: no packerlogs/<run-id>/customization.log in ")
    assert main(["logs", "rg", "tpl", "--storage-url", url, "--run-id", "nope"]) == 1
    assert "nope/customization.log" in capsys.readouterr().err


def test_usage_errors(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    assert main(["logs", "rg", "tpl"]) == 2
    assert "--subscription" in capsys.readouterr().err
    assert main(["logs", "rg", "tpl", "--emulator", "--subscription", "s"]) == 2
    assert "--base-url" in capsys.readouterr().err


def test_follow_prints_lines_while_an_emulator_run_proceeds(
    staging: tuple[str, BlobArtifactStore],
    capsys: pytest.CaptureFixture[str],
    azurite: AzuriteBlob,  # noqa: F811
) -> None:
    import azimagebuilder as aib
    from azimagebuilder.emulator import Emulator

    url, store = staging
    template = aib.ImageTemplate(
        location="westus2",
        source=aib.PlatformImageSource(
            publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
        ),
        customize=[aib.ShellCustomizer(name=f"step{i}", inline=[f"echo {i}"]) for i in range(3)],
        distribute=[aib.VhdDistributor(run_output_name="vhd")],
    )
    # A real-time emulator with a short build: the command polls it as it would poll Azure.
    with (
        Emulator(artifacts=store, build_duration=1.5, create_duration=0) as emu,
        aib.ImageBuilderClient(
            emu.credential,
            emu.subscription_id,
            base_url=emu.base_url,
            connection_verify=emu.ca_cert,
            polling_interval=0.1,
        ) as client,
    ):
        client.begin_create_or_update("rg", "tpl", template).result()
        run = client.begin_run("rg", "tpl")
        finished = threading.Event()
        waiter = threading.Thread(target=lambda: (run.result(), finished.set()))
        waiter.start()
        status = main(
            [
                "logs",
                "rg",
                "tpl",
                "--follow",
                "--emulator",
                "--base-url",
                emu.base_url,
                "--ca-cert",
                emu.ca_cert,
                "--subscription",
                emu.subscription_id,
                "--storage-url",
                url,
                "--poll",
                "0.1",
            ]
        )
        waiter.join(timeout=30)
        assert finished.is_set()
        assert str(client.get("rg", "tpl").last_run_status.run_state) == "Succeeded"

    assert status == 0
    printed = capsys.readouterr().out.splitlines()
    key = azurite.account("ibstaging").credential
    run_id = latest_run_id(url, credential=key)
    full = download_customization_log(url, credential=key)
    assert printed[0] == f"==> {run_id}/customization.log <=="
    assert printed[1:] == full.splitlines()
    assert any("Running provisioner: shell (step2)" in line for line in printed)


def test_an_unknown_template_is_reported(
    staging: tuple[str, BlobArtifactStore], capsys: pytest.CaptureFixture[str]
) -> None:
    from azimagebuilder.emulator import Emulator

    with Emulator(build_duration=0) as emu:
        status = main(
            [
                "logs", "rg", "missing",
                "--emulator", "--base-url", emu.base_url, "--ca-cert", emu.ca_cert,
                "--subscription", emu.subscription_id,
            ]
        )  # fmt: skip
    assert status == 1
    assert capsys.readouterr().err == "azimagebuilder logs: no template 'missing' in resource group 'rg'\n"


def test_follow_with_an_unknown_run_id_says_so_and_exits_1(
    staging: tuple[str, BlobArtifactStore],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`logs --follow --run-id <unknown>` exited 0 silently once the (finished) run was seen."""
    import azimagebuilder as aib
    from azimagebuilder.emulator import Emulator

    url, store = staging
    template = aib.ImageTemplate(
        location="westus2",
        source=aib.PlatformImageSource(
            publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
        ),
        customize=[aib.ShellCustomizer(name="step", inline=["echo 1"])],
        distribute=[aib.VhdDistributor(run_output_name="vhd")],
    )
    with (
        Emulator(artifacts=store, build_duration=0.2, create_duration=0) as emu,
        aib.ImageBuilderClient(
            emu.credential, emu.subscription_id, base_url=emu.base_url, connection_verify=emu.ca_cert
        ) as client,
    ):
        client.begin_create_or_update("rg", "tpl", template, polling_interval=0.05).result()
        client.begin_run("rg", "tpl", polling_interval=0.05).result()
        status = main(
            [
                "logs",
                "rg",
                "tpl",
                "--follow",
                "--run-id",
                "no-such-run",
                "--emulator",
                "--base-url",
                emu.base_url,
                "--ca-cert",
                emu.ca_cert,
                "--subscription",
                emu.subscription_id,
                "--storage-url",
                url,
                "--poll",
                "0.1",
            ]
        )
    captured = capsys.readouterr()
    assert status == 1
    assert "no-such-run/customization.log" in captured.err
    assert captured.out == ""
