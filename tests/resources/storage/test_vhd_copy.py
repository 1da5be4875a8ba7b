"""VHD copy-out between two real Azurite accounts: real bytes, sizes and MD5s checked."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from azimagebuilder.resources import CopyResult, VhdCopyError, copy_vhd
from azimagebuilder.resources._azurite_store import BlobArtifactStore, vhd_bytes
from azimagebuilder.resources.vhd import verify_copy, vhd_copied_tag
from azimagebuilder.testing.azurite import AzuriteBlob

pytestmark = pytest.mark.azurite


def _b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


@pytest.fixture
def staged_vhd(azurite: AzuriteBlob, request: pytest.FixtureRequest) -> tuple[str, bytes]:
    """A VHD page blob in the 'staging' account, put there by the emulator's blob artifact store."""
    staging = azurite.account("ibstaging")
    store = BlobArtifactStore(staging.blob_endpoint, staging.credential, vhd_size=3 * 1024 * 1024 + 512)
    template_id = f"/subscriptions/s/resourceGroups/rg/providers/x/imageTemplates/{request.node.name}"
    url = store.put_vhd(template_id, "ubuntu-vhd", b"ignored: the store writes its own VHD")
    return url, vhd_bytes(3 * 1024 * 1024 + 512, f"{template_id.lower()}/ubuntu-vhd")


@pytest.fixture
def dest_container(azurite: AzuriteBlob, request: pytest.FixtureRequest) -> str:
    name = "d" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:20]
    azurite.service_client("userstore").create_container(name)
    return f"{azurite.account('userstore').blob_endpoint}/{name}"


def _dest_bytes(azurite: AzuriteBlob, url: str) -> bytes:
    from azure.storage.blob import BlobClient

    client = BlobClient.from_blob_url(url, credential=azurite.account("userstore").credential)
    return client.download_blob().readall()


def test_store_writes_a_page_blob_vhd_with_a_footer(
    azurite: AzuriteBlob, staged_vhd: tuple[str, bytes]
) -> None:
    from azure.storage.blob import BlobClient

    url, expected = staged_vhd
    blob = BlobClient.from_blob_url(url, credential=azurite.account("ibstaging").credential)
    props = blob.get_blob_properties()
    assert props.blob_type == "PageBlob"
    assert props.size == len(expected)
    data = blob.download_blob().readall()
    assert data == expected
    assert data[-512:-504] == b"conectix"


def test_copy_moves_real_bytes_and_checks_size_and_md5(
    azurite: AzuriteBlob, staged_vhd: tuple[str, bytes], dest_container: str
) -> None:
    source_url, expected = staged_vhd
    staging, user = azurite.account("ibstaging"), azurite.account("userstore")

    result = copy_vhd(
        source_url,
        f"{dest_container}/copied.vhd",
        source_credential=staging.credential,  # no SAS in the URL: one is made for the copy
        destination_credential=user.credential,
        poll_interval=0.05,
    )

    assert isinstance(result, CopyResult)
    assert result.size == len(expected)
    assert result.md5_base64 == _b64md5(expected)
    assert result.md5_hex == hashlib.md5(expected, usedforsecurity=False).hexdigest()
    assert result.source_md5_computed  # page blobs carry no Content-MD5
    assert result.content_verified
    assert result.destination_url == f"{dest_container}/copied.vhd"
    assert result.copy_id
    assert _dest_bytes(azurite, result.destination_url) == expected
    # the verified MD5 is now a property of the copy
    props = user.service_client().get_blob_client(dest_container.rsplit("/", 1)[1], "copied.vhd")
    md5_prop = props.get_blob_properties().content_settings.content_md5
    assert base64.b64encode(bytes(md5_prop)).decode() == result.md5_base64
    text = repr(result)
    assert staging.key not in text
    assert user.key not in text
    assert "sig=" not in text


def test_copy_of_a_block_blob_with_md5_compares_properties(azurite: AzuriteBlob, dest_container: str) -> None:
    staging, user = azurite.account("ibstaging"), azurite.account("userstore")
    service = staging.service_client()
    if not service.get_container_client("vhds").exists():
        service.create_container("vhds")
    data = vhd_bytes(1024 * 1024 + 512, "block-blob")
    source = service.get_blob_client("vhds", "block.vhd")
    source.upload_blob(data, overwrite=True)
    assert source.get_blob_properties().content_settings.content_md5  # the service computed it

    quick = copy_vhd(
        source.url,
        f"{dest_container}/quick.vhd",
        source_credential=staging.credential,
        destination_credential=user.credential,
    )
    assert not quick.source_md5_computed
    assert not quick.content_verified
    assert quick.md5_base64 == _b64md5(data)

    thorough = copy_vhd(
        source.url,
        f"{dest_container}/thorough.vhd",
        source_credential=staging.credential,
        destination_credential=user.credential,
        verify_content=True,
    )
    assert thorough.content_verified
    assert _dest_bytes(azurite, thorough.destination_url) == data


def test_copy_with_a_sas_url_needs_no_source_credential(
    azurite: AzuriteBlob, staged_vhd: tuple[str, bytes], dest_container: str
) -> None:
    from azure.storage.blob import BlobClient, BlobSasPermissions, generate_blob_sas

    source_url, expected = staged_vhd
    staging = azurite.account("ibstaging")
    parsed = BlobClient.from_blob_url(source_url)
    sas = generate_blob_sas(
        staging.name,
        parsed.container_name,
        parsed.blob_name,
        account_key=staging.key,
        permission=BlobSasPermissions(read=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    result = copy_vhd(
        f"{source_url}?{sas}",
        f"{dest_container}/from-sas.vhd",
        destination_credential=azurite.account("userstore").credential,
    )
    assert result.source_url == source_url  # reported without its SAS
    assert _dest_bytes(azurite, result.destination_url) == expected


def test_existing_destination_is_not_replaced_unless_asked(
    azurite: AzuriteBlob, staged_vhd: tuple[str, bytes], dest_container: str
) -> None:
    source_url, expected = staged_vhd
    kwargs = {
        "source_credential": azurite.account("ibstaging").credential,
        "destination_credential": azurite.account("userstore").credential,
    }
    copy_vhd(source_url, f"{dest_container}/x.vhd", **kwargs)
    with pytest.raises(VhdCopyError, match="already exists"):
        copy_vhd(source_url, f"{dest_container}/x.vhd", **kwargs)
    again = copy_vhd(source_url, f"{dest_container}/x.vhd", overwrite=True, **kwargs)
    assert again.size == len(expected)


def test_unreadable_source_is_reported_without_secrets(
    azurite: AzuriteBlob, staged_vhd: tuple[str, bytes], dest_container: str
) -> None:
    source_url, _ = staged_vhd
    wrong = {"account_name": "ibstaging", "account_key": azurite.account("userstore").key}
    with pytest.raises(Exception) as refused:  # noqa: PT011 - reading the source fails first, any way
        copy_vhd(
            source_url,
            f"{dest_container}/never.vhd",
            source_credential=wrong,
            destination_credential=azurite.account("userstore").credential,
        )
    assert azurite.account("userstore").key not in str(refused.value)
    assert "sig=" not in str(refused.value)


def test_short_copy_is_detected(
    azurite: AzuriteBlob, staged_vhd: tuple[str, bytes], dest_container: str
) -> None:
    source_url, expected = staged_vhd
    staging, user = azurite.account("ibstaging"), azurite.account("userstore")
    dest = user.service_client().get_blob_client(dest_container.rsplit("/", 1)[1], "short.vhd")
    dest.upload_blob(expected[: len(expected) // 2], overwrite=True)

    with pytest.raises(VhdCopyError, match="incomplete"):
        verify_copy(
            source_url, dest.url, source_credential=staging.credential, destination_credential=user.credential
        )


def test_corrupt_copy_is_detected_by_md5(
    azurite: AzuriteBlob, staged_vhd: tuple[str, bytes], dest_container: str
) -> None:
    from azure.storage.blob import ContentSettings

    source_url, expected = staged_vhd
    staging, user = azurite.account("ibstaging"), azurite.account("userstore")
    container = dest_container.rsplit("/", 1)[1]
    corrupt = bytearray(expected)
    corrupt[12345] ^= 0xFF  # same size, one byte differs
    true_md5 = hashlib.md5(expected, usedforsecurity=False).digest()

    # Content-MD5 property says what the bytes are: caught from the properties alone.
    honest = user.service_client().get_blob_client(container, "honest.vhd")
    honest.upload_blob(bytes(corrupt), overwrite=True)
    with pytest.raises(VhdCopyError, match="does not match its source"):
        verify_copy(
            source_url,
            honest.url,
            source_credential=staging.credential,
            destination_credential=user.credential,
        )

    # Content-MD5 property claims the source's MD5 (as a copy carries it along): only reading the bytes
    # catches it, which verify_content=True does.
    lying = user.service_client().get_blob_client(container, "lying.vhd")
    lying.upload_blob(bytes(corrupt), overwrite=True)
    lying.set_http_headers(ContentSettings(content_md5=bytearray(true_md5)))
    with pytest.raises(VhdCopyError, match="corrupt"):
        verify_copy(
            source_url,
            lying.url,
            source_credential=staging.credential,
            destination_credential=user.credential,
            verify_content=True,
        )

    # and an intact copy passes the same check
    good = user.service_client().get_blob_client(container, "good.vhd")
    good.upload_blob(expected, overwrite=True)
    ok = verify_copy(
        source_url,
        good.url,
        source_credential=staging.credential,
        destination_credential=user.credential,
        verify_content=True,
    )
    assert ok.md5_base64 == base64.b64encode(true_md5).decode()


def test_tag_name() -> None:
    assert vhd_copied_tag("vhd1") == "azimagebuilder.vhdCopied.vhd1"


def test_verify_content_false_trusts_the_copy_but_still_checks_the_source(
    azurite: AzuriteBlob, staged_vhd: tuple[str, bytes], dest_container: str
) -> None:
    source_url, expected = staged_vhd
    user = azurite.account("userstore")
    result = copy_vhd(
        source_url,
        f"{dest_container}/trusted.vhd",
        source_credential=azurite.account("ibstaging").credential,
        destination_credential=user.credential,
        verify_content=False,
    )
    assert result.source_md5_computed
    assert not result.content_verified
    assert result.md5_base64 == _b64md5(expected)
    # the source's computed MD5 was recorded on the copy, so a later check compares properties
    later = verify_copy(
        source_url,
        result.destination_url,
        source_credential=azurite.account("ibstaging").credential,
        destination_credential=user.credential,
    )
    assert not later.content_verified
    assert later.md5_base64 == result.md5_base64


def test_a_source_vhd_with_a_wrong_content_md5_is_verified_by_its_bytes(
    azurite: AzuriteBlob, staged_vhd: tuple[str, bytes], dest_container: str
) -> None:
    """A page blob whose Content-MD5 property is wrong was reported verified with the property's MD5, and
    with verify_content=True a byte-identical copy was reported corrupt."""
    from azure.storage.blob import BlobClient, ContentSettings

    source_url, expected = staged_vhd
    staging, user = azurite.account("ibstaging"), azurite.account("userstore")
    source = BlobClient.from_blob_url(source_url, credential=staging.credential)
    wrong = hashlib.md5(b"not these bytes", usedforsecurity=False).digest()
    source.set_http_headers(ContentSettings(content_md5=bytearray(wrong)))
    true_md5 = _b64md5(expected)
    kwargs = {"source_credential": staging.credential, "destination_credential": user.credential}

    default = copy_vhd(source_url, f"{dest_container}/default.vhd", **kwargs)
    assert default.md5_base64 == true_md5
    assert default.source_md5_computed
    assert default.content_verified  # the copy's carried-along property disagreed: its bytes were read
    dest = BlobClient.from_blob_url(default.destination_url, credential=user.credential)
    recorded = dest.get_blob_properties().content_settings.content_md5
    assert base64.b64encode(bytes(recorded)).decode() == true_md5  # the wrong property was corrected

    thorough = copy_vhd(source_url, f"{dest_container}/thorough.vhd", verify_content=True, **kwargs)
    assert thorough.md5_base64 == true_md5
    assert _dest_bytes(azurite, thorough.destination_url) == expected


def test_a_block_blob_whose_content_md5_is_wrong_is_not_called_corrupt(
    azurite: AzuriteBlob, dest_container: str
) -> None:
    from azure.storage.blob import ContentSettings

    staging, user = azurite.account("ibstaging"), azurite.account("userstore")
    service = staging.service_client()
    if not service.get_container_client("vhds").exists():
        service.create_container("vhds")
    data = vhd_bytes(1024 * 1024 + 512, "block-blob-wrong-md5")
    source = service.get_blob_client("vhds", "wrong-md5.vhd")
    source.upload_blob(data, overwrite=True)
    wrong = hashlib.md5(b"something else", usedforsecurity=False).digest()
    source.set_http_headers(ContentSettings(content_md5=bytearray(wrong)))
    result = copy_vhd(
        source.url,
        f"{dest_container}/copy.vhd",
        source_credential=staging.credential,
        destination_credential=user.credential,
        verify_content=True,
    )
    assert result.md5_base64 == _b64md5(data)
    assert result.source_md5_computed  # the property disagreed with the bytes, so the source was read
