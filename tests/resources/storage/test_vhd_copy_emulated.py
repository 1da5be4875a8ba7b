"""VHD copy-out end to end: an emulator run leaves a real VHD blob in Azurite; copy it out, then delete."""

from __future__ import annotations

import pytest
from storage_support import Emulated, container_for, create_template, run_to_end, vhd_template

from azimagebuilder.resources import VhdCopyError, copy_vhd_run_output
from azimagebuilder.resources.vhd import vhd_copied_tag

pytestmark = pytest.mark.azurite


def _bytes(env: Emulated, account: str, url: str) -> bytes:
    from azure.storage.blob import BlobClient

    client = BlobClient.from_blob_url(url, credential=env.azurite.account(account).credential)
    return client.download_blob().readall()


def test_delete_is_refused_until_the_vhd_is_copied_out(
    emulated: Emulated, request: pytest.FixtureRequest
) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    from azimagebuilder._errors import VhdNotCopiedError

    env = emulated
    create_template(env, "tpl", vhd_template(tags={"team": "images"}))
    assert str(run_to_end(env, "tpl").run_state) == "Succeeded"
    (output,) = list(env.client.list_run_outputs("rg", "tpl"))
    assert output.artifact_uri.startswith(env.staging_url)
    source_bytes = _bytes(env, "ibstaging", output.artifact_uri)
    assert source_bytes[-512:-504] == b"conectix"

    with pytest.raises(VhdNotCopiedError) as refused:
        env.client.begin_delete("rg", "tpl")
    assert refused.value.run_output_names == ["vhd"]

    destination = container_for(env.azurite, "userstore", request, "images")
    result = copy_vhd_run_output(
        env.client,
        "rg",
        "tpl",
        "vhd",
        destination,
        blob_name="ubuntu.vhd",
        source_credential=env.staging_credential,
        destination_credential=env.azurite.account("userstore").credential,
        poll_interval=0,
    )

    assert result.destination_url == f"{destination}/ubuntu.vhd"
    assert result.size == len(source_bytes)
    assert _bytes(env, "userstore", result.destination_url) == source_bytes
    assert result.tag == (vhd_copied_tag("vhd"), result.destination_url)
    tags = env.client.get("rg", "tpl").tags
    assert tags == {"team": "images", "azimagebuilder.vhdCopied.vhd": result.destination_url}  # merged

    poller = env.client.begin_delete("rg", "tpl")
    env.clock.advance(600)
    poller.result()
    with pytest.raises(ResourceNotFoundError):
        env.client.get("rg", "tpl")
    # The staging VHD went with the template; the copy did not.
    with pytest.raises(ResourceNotFoundError):
        _bytes(env, "ibstaging", output.artifact_uri)
    assert _bytes(env, "userstore", result.destination_url) == source_bytes


def test_unknown_run_output_is_named(emulated: Emulated, request: pytest.FixtureRequest) -> None:
    create_template(emulated, "tpl2")
    run_to_end(emulated, "tpl2")
    destination = container_for(emulated.azurite, "userstore", request, "images")
    with pytest.raises(VhdCopyError, match=r"no run output 'vhdx' \(it has: vhd\)"):
        copy_vhd_run_output(
            emulated.client,
            "rg",
            "tpl2",
            "vhdx",
            destination,
            source_credential=emulated.staging_credential,
            destination_credential=emulated.azurite.account("userstore").credential,
        )
    # nothing was tagged
    assert not any(
        k.startswith("azimagebuilder.vhdCopied.") for k in emulated.client.get("rg", "tpl2").tags or {}
    )


def _vhd_run(env: Emulated, name: str) -> str:
    create_template(env, name, vhd_template())
    assert str(run_to_end(env, name).run_state) == "Succeeded"
    (output,) = list(env.client.list_run_outputs("rg", name))
    return str(output.artifact_uri)


def test_a_destination_that_refuses_the_credential_is_a_vhd_copy_error(
    emulated: Emulated, request: pytest.FixtureRequest
) -> None:
    """copy_vhd_run_output raised azure-core's 403 naming no blob or account."""
    env = emulated
    source = _vhd_run(env, "tpl403")
    destination = container_for(env.azurite, "userstore", request, "images")
    wrong = {"account_name": "userstore", "account_key": env.azurite.account("ibstaging").key}
    with pytest.raises(VhdCopyError) as info:
        copy_vhd_run_output(
            env.client,
            "rg",
            "tpl403",
            "vhd",
            destination,
            blob_name="x.vhd",
            source_credential=env.staging_credential,
            destination_credential=wrong,
            poll_interval=0,
        )
    message = str(info.value)
    assert source in message
    assert f"{destination}/x.vhd" in message
    assert "the destination answered 403" in message
    assert "destination_credential" in message
    assert info.value.__cause__ is None  # not chained: the request carried a signed source URL
    assert env.azurite.account("ibstaging").key not in message
    assert "sig=" not in message


def test_a_source_blob_that_is_gone_is_a_vhd_copy_error(
    emulated: Emulated, request: pytest.FixtureRequest
) -> None:
    from azure.storage.blob import BlobClient

    env = emulated
    source = _vhd_run(env, "tpl404")
    BlobClient.from_blob_url(source, credential=env.staging_credential).delete_blob()
    destination = container_for(env.azurite, "userstore", request, "images")
    with pytest.raises(VhdCopyError) as info:
        copy_vhd_run_output(
            env.client,
            "rg",
            "tpl404",
            "vhd",
            destination,
            source_credential=env.staging_credential,
            destination_credential=env.azurite.account("userstore").credential,
            poll_interval=0,
        )
    message = str(info.value)
    assert f"copying {source} to {destination}/" in message
    assert "the source answered 404 BlobNotFound" in message
