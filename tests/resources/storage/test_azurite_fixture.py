"""The Azurite fixture itself: a real blob service with separate accounts, and no key in any repr."""

from __future__ import annotations

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
        credential={"account_name": "userstore", "account_key": azurite.account("ibstaging").key},
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
