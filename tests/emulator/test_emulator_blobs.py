"""The emulator answers the Blob service calls its own URLs name: logs and VHDs, read and copied with
azure-storage-blob and the library's helpers, with no Azurite and no environment variables."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from linux_template import linux_body

from azimagebuilder import ImageBuilderClient
from azimagebuilder.emulator import Emulator, MemoryArtifactStore
from azimagebuilder.emulator._blobs import is_blob_request

TEMPLATE: dict[str, Any] = linux_body()


@pytest.fixture(scope="module")
def built() -> Iterator[tuple[Emulator, ImageBuilderClient, str]]:
    """An emulator with one template built; yields it, a client and the VHD's URL."""
    with (
        Emulator(build_duration=0) as emu,
        ImageBuilderClient(
            emu.credential,
            emu.subscription_id,
            base_url=emu.base_url,
            connection_verify=emu.ca_cert,
            polling_interval=0,
        ) as client,
    ):
        result = client.build("rg", "tpl", TEMPLATE)
        yield emu, client, result.vhd_uris["vhd"]


def kwargs(emu: Emulator) -> dict[str, Any]:
    return {"connection_verify": emu.ca_cert}


def test_run_output_urls_name_the_emulator_itself(built: tuple[Emulator, Any, str]) -> None:
    emu, _, vhd = built
    assert vhd.startswith(emu.base_url + "/")
    assert "/vhds/" in vhd
    store = emu.artifacts
    assert isinstance(store, MemoryArtifactStore)
    assert all(url.startswith(emu.base_url + "/") for url in store.urls())


def test_the_vhd_reads_back_with_azure_storage_blob(built: tuple[Emulator, Any, str]) -> None:
    from azure.storage.blob import BlobClient, BlobType

    emu, _, vhd = built
    blob = BlobClient.from_blob_url(vhd, credential=emu.credential, **kwargs(emu))
    props = blob.get_blob_properties()
    data = blob.download_blob().readall()
    assert props.blob_type == BlobType.PAGEBLOB
    assert props.size == len(data)
    assert data[-512:-504] == b"conectix"
    assert blob.download_blob(offset=10, length=5).readall() == data[10:15]


Built = tuple[Emulator, ImageBuilderClient, str]


def test_the_log_is_found_and_read_by_the_log_helpers(built: Built) -> None:
    from azimagebuilder.resources.logs import download_customization_log, find_log_location

    emu, client, _ = built
    location = find_log_location(
        emu.credential,
        emu.subscription_id,
        "rg",
        "tpl",
        template=client.get("rg", "tpl"),
        base_url=emu.base_url,
        **kwargs(emu),
    )
    assert location.account_url.startswith(emu.base_url + "/")
    text = download_customization_log(location, credential=emu.credential, **kwargs(emu))
    assert "PACKER" in text.upper()


def test_a_vhd_copies_out_to_another_account_of_the_emulator_verified(
    built: tuple[Emulator, Any, str],
) -> None:
    from azimagebuilder.resources.vhd import copy_vhd

    emu, _, vhd = built
    destination = f"{emu.base_url}/mycopies/images/copy.vhd"
    result = copy_vhd(
        vhd,
        destination,
        source_credential=emu.credential,
        destination_credential=emu.credential,
        poll_interval=0,
        **kwargs(emu),
    )
    source_bytes = emu.artifacts.read(vhd)  # type: ignore[attr-defined]
    assert result.destination_url == destination
    assert emu.artifacts.read(destination) == source_bytes  # type: ignore[attr-defined]
    assert result.md5_base64 == base64.b64encode(hashlib.md5(source_bytes).digest()).decode()


def test_upload_list_and_delete(built: tuple[Emulator, Any, str]) -> None:
    from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
    from azure.storage.blob import ContainerClient

    emu, _, _ = built
    container = ContainerClient.from_container_url(
        f"{emu.base_url}/scriptsacct/scripts", credential=emu.credential, **kwargs(emu)
    )
    container.create_container()
    with pytest.raises(ResourceExistsError):
        container.create_container()
    container.upload_blob("a/setup.sh", b"echo hi\n", metadata={"sha256": "x"})
    container.upload_blob("b.sh", b"echo b\n")
    listed = {b.name: b.metadata or {} for b in container.list_blobs(include=["metadata"])}
    assert listed == {"a/setup.sh": {"sha256": "x"}, "b.sh": {}}
    assert [b.name for b in container.list_blobs(name_starts_with="a/")] == ["a/setup.sh"]
    assert container.download_blob("a/setup.sh").readall() == b"echo hi\n"
    container.delete_blob("b.sh")
    with pytest.raises(ResourceNotFoundError):
        container.download_blob("b.sh").readall()
    missing = ContainerClient.from_container_url(
        f"{emu.base_url}/scriptsacct/nothing", credential=emu.credential, **kwargs(emu)
    )
    with pytest.raises(ResourceNotFoundError) as caught:
        list(missing.list_blobs())
    assert caught.value.error_code == "ContainerNotFound"


def test_the_artifact_route_still_serves_and_arm_paths_are_not_blobs(built: Built) -> None:
    import requests

    emu, _, vhd = built
    token = emu.credential.get_token("https://management.azure.com/.default").token
    answer = requests.get(
        f"{emu.base_url}/_emulator/artifacts",
        params={"url": vhd},
        headers={"Authorization": f"Bearer {token}"},
        verify=emu.ca_cert,
    )
    assert answer.status_code == 200
    assert answer.content[-512:-504] == b"conectix"
    assert not is_blob_request("/subscriptions/x/resourceGroups/rg")
    assert not is_blob_request("/providers/Microsoft.VirtualMachineImages/operations")
    assert not is_blob_request("/_emulator/artifacts")
    assert is_blob_request("/abc123/vhds/x.vhd")


def test_urls_are_azure_shaped_until_the_emulator_binds_the_store() -> None:
    store = MemoryArtifactStore()
    url = store.put_log("IT_rg_t_0", "run", "x")
    assert ".blob.core.windows.net/packerlogs/run/customization.log" in url
    store.bind("https://127.0.0.1:9")
    assert store.read(url) == b"x"
    [moved] = store.urls()
    assert moved.startswith("https://127.0.0.1:9/")
    assert store.read(moved) == b"x"


def test_a_large_upload_in_blocks_reads_back(built: Built) -> None:
    from azure.storage.blob import BlobClient

    emu, _, _ = built
    data = bytes(range(256)) * (12 * 1024)  # 3 MiB
    blob = BlobClient.from_blob_url(
        f"{emu.base_url}/bigacct/uploads/big.bin",
        credential=emu.credential,
        max_single_put_size=1024 * 1024,
        max_block_size=1024 * 1024,
        **kwargs(emu),
    )
    blob.upload_blob(data, overwrite=True)  # three Put Block calls and a Put Block List
    assert blob.get_blob_properties().size == len(data)
    assert blob.download_blob(max_concurrency=1).readall() == data


def test_a_bad_range_and_a_bad_verb_answer_blob_errors(built: Built) -> None:
    import requests

    emu, _, vhd = built
    answer = requests.get(vhd, headers={"x-ms-range": "bytes=999999-"}, verify=emu.ca_cert)
    assert answer.status_code == 416
    assert answer.headers["x-ms-error-code"] == "InvalidRange"
    answer = requests.patch(vhd, verify=emu.ca_cert)
    assert answer.status_code == 405
    assert "<Code>UnsupportedHttpVerb</Code>" in answer.text
