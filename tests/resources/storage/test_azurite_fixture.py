"""The Azurite fixture itself: a real blob service with separate accounts, and no key in any repr."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from azimagebuilder.testing.azurite import WELL_KNOWN_ACCOUNT, AzuriteBlob, find_azurite_blob

pytestmark = pytest.mark.azurite


def test_serves_each_account_separately(azurite: AzuriteBlob) -> None:
    assert set(azurite.accounts) >= {WELL_KNOWN_ACCOUNT, "ibstaging", "userstore"}
    staging = azurite.service_client("ibstaging")
    staging.create_container("fixture-check")
    staging.get_blob_client("fixture-check", "a.txt").upload_blob(b"staging bytes")
    assert [c.name for c in azurite.service_client("userstore").list_containers()].count("fixture-check") == 0
    data = staging.get_blob_client("fixture-check", "a.txt").download_blob().readall()
    assert data == b"staging bytes"


def test_a_wrong_key_is_refused(azurite: AzuriteBlob) -> None:
    from azure.core.exceptions import HttpResponseError
    from azure.storage.blob import BlobServiceClient

    wrong = BlobServiceClient(
        azurite.account("userstore").blob_endpoint,
        credential={
            "account_name": azurite.account("userstore").name,
            "account_key": azurite.account("ibstaging").key,
        },
    )
    with pytest.raises(HttpResponseError):
        wrong.create_container("never-made")


def test_keys_stay_out_of_reprs(azurite: AzuriteBlob) -> None:
    for account in azurite.accounts.values():
        assert account.key not in repr(account)
        assert account.key not in repr(azurite)
        assert account.key in account.connection_string


def test_the_executable_is_found_again_without_installing(azurite: AzuriteBlob) -> None:
    assert find_azurite_blob(install=False).name == "azurite-blob"


def test_artifact_store_puts_emulator_artifacts_in_the_staging_account(azurite: AzuriteBlob) -> None:
    store = azurite.artifact_store(vhd_size=1024 * 1024 + 512)
    vhd_url = store.put_vhd("/subscriptions/s/resourceGroups/rg/providers/p/imageTemplates/t", "out", b"x")
    log_url = store.put_log("IT_rg_t_guid", "run-1", "hello\n")
    staging = azurite.account("ibstaging")
    assert vhd_url.startswith(f"{staging.blob_endpoint}/vhds/out_")
    assert log_url == f"{staging.blob_endpoint}/packerlogs/run-1/customization.log"
    service = staging.service_client()
    assert (
        service.get_blob_client("vhds", vhd_url.rsplit("/", 1)[1]).get_blob_properties().size
        == 1024 * 1024 + 512
    )
    assert (
        service.get_blob_client("packerlogs", "run-1/customization.log").download_blob().readall()
        == b"hello\n"
    )

    store.delete_artifacts("/subscriptions/s/resourceGroups/rg/providers/p/imageTemplates/t", "IT_rg_t_guid")
    names = [b.name for c in ("vhds", "packerlogs") for b in service.get_container_client(c).list_blobs()]
    assert vhd_url.rsplit("/", 1)[1] not in names
    assert "run-1/customization.log" not in names


def test_artifact_store_can_keep_the_emulators_own_bytes(azurite: AzuriteBlob) -> None:
    from azimagebuilder.resources._azurite_store import BlobArtifactStore

    staging = azurite.account("ibstaging")
    store = BlobArtifactStore(staging.blob_endpoint, staging.credential, vhd_size=None)
    url = store.put_vhd("/t/own-bytes", "vhd", b"stand-in" * 100)  # 800 bytes: padded to whole pages
    data = staging.service_client().get_blob_client("vhds", url.rsplit("/", 1)[1]).download_blob().readall()
    assert data == (b"stand-in" * 100).ljust(1024, b"\0")
    assert staging.blob_endpoint in repr(store)
    assert staging.key not in repr(store)


def test_one_service_is_shared_by_workers_each_with_accounts_of_its_own(tmp_path: Path) -> None:
    from azimagebuilder.testing.azurite import shared_azurite

    workers = ["gw0", "gw1"]
    with shared_azurite(tmp_path, worker="gw0", workers=workers) as first:
        with shared_azurite(tmp_path, worker="gw1", workers=workers) as second:
            assert second.port == first.port  # started once
            assert first.account("ibstaging").name == "ibstaginggw0"
            assert second.account("ibstaging").name == "ibstaginggw1"
            first.service_client("ibstaging").create_container("only-in-gw0")
            assert "only-in-gw0" not in [c.name for c in second.service_client("ibstaging").list_containers()]
        # the first user is still there: the service keeps running
        assert [c.name for c in first.service_client("ibstaging").list_containers()] == ["only-in-gw0"]
    # the last user left: stopped
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", first.port)) != 0
