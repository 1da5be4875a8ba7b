"""Build logs: find, download and follow customization.log in a real Azurite account."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from storage_support import BUILD_SECONDS, Emulated, create_template, vhd_template

from azimagebuilder.resources import (
    LogLocation,
    download_customization_log,
    find_log_location,
    find_staging_resource_group,
    follow_customization_log,
    log_location_hint,
)
from azimagebuilder.resources._azurite_store import BlobArtifactStore
from azimagebuilder.resources.logs import LogNotFoundError, latest_run_id, run_in_progress
from azimagebuilder.testing.azurite import AzuriteBlob

pytestmark = pytest.mark.azurite


@pytest.fixture
def logs_account(azurite: AzuriteBlob) -> tuple[str, dict[str, str]]:
    """The staging stand-in account with an empty packerlogs container, so 'the newest log' is this test's."""
    staging = azurite.account("ibstaging")
    container = staging.service_client().get_container_client("packerlogs")
    if container.exists():
        for blob in container.list_blobs():
            container.delete_blob(blob.name)
    return staging.blob_endpoint, staging.credential


def test_download_the_newest_run_or_a_given_one(logs_account: tuple[str, dict[str, str]]) -> None:
    url, cred = logs_account
    store = BlobArtifactStore(url, cred)
    store.put_log("IT_rg_tpl_x", "run-1", "first run\n")
    store.put_log("IT_rg_tpl_x", "run-2", "second run\nline two\n")

    assert latest_run_id(url, credential=cred) == "run-2"
    assert download_customization_log(url, credential=cred) == "second run\nline two\n"
    assert download_customization_log(url, credential=cred, run_id="run-1") == "first run\n"
    where = LogLocation(url, "run-1")
    assert download_customization_log(where, credential=cred) == "first run\n"
    with pytest.raises(LogNotFoundError, match=r"run-3/customization\.log"):
        download_customization_log(url, credential=cred, run_id="run-3")


def test_no_log_yet_is_a_clear_error(logs_account: tuple[str, dict[str, str]]) -> None:
    url, cred = logs_account
    with pytest.raises(LogNotFoundError, match="no packerlogs"):
        download_customization_log(url, credential=cred)


def _growing_log(
    store: BlobArtifactStore, run_id: str, chunks: list[str]
) -> tuple[Callable[[float], None], Callable[[], bool]]:
    """A sleep() that writes the next chunk of the log, and an is_running() true until all are written."""
    written: list[str] = []

    def sleep(_: float) -> None:
        if len(written) < len(chunks):
            written.append(chunks[len(written)])
            store.put_log("IT_rg_tpl_x", run_id, "".join(written))

    def is_running() -> bool:
        return len(written) < len(chunks)

    return sleep, is_running


def test_follow_yields_each_line_once_as_the_log_grows(logs_account: tuple[str, dict[str, str]]) -> None:
    url, cred = logs_account
    store = BlobArtifactStore(url, cred)
    store.put_log("IT_rg_tpl_x", "run-9", "line 1\nline 2 is spl")
    sleep, is_running = _growing_log(
        store, "run-9", ["line 1\nline 2 is spl", "it in two\r\nline 3\n", "", "line 4 has no newline"]
    )
    seen: list[str] = []
    for line in follow_customization_log(
        LogLocation(url, "run-9"), credential=cred, is_running=is_running, sleep=sleep, poll_interval=0
    ):
        seen.append(line)
    assert seen == ["line 1", "line 2 is split in two", "line 3", "line 4 has no newline"]


def test_follow_switches_to_a_newer_run(logs_account: tuple[str, dict[str, str]]) -> None:
    url, cred = logs_account
    store = BlobArtifactStore(url, cred)
    store.put_log("IT_rg_tpl_x", "old-run", "old 1\n")
    steps = iter(
        [
            lambda: store.put_log("IT_rg_tpl_x", "old-run", "old 1\nold 2\n"),
            lambda: store.put_log("IT_rg_tpl_x", "new-run", "new 1\n"),
            lambda: store.put_log("IT_rg_tpl_x", "new-run", "new 1\nnew 2\n"),
        ]
    )
    done: list[bool] = []

    def sleep(_: float) -> None:
        step = next(steps, None)
        if step is None:
            done.append(True)
        else:
            step()

    lines = list(
        follow_customization_log(
            url, credential=cred, is_running=lambda: not done, sleep=sleep, poll_interval=0
        )
    )
    assert lines == [
        "==> old-run/customization.log <==",
        "old 1",
        "old 2",
        "==> new-run/customization.log <==",
        "new 1",
        "new 2",
    ]


def test_follow_an_emulator_run_on_a_manual_clock(emulated: Emulated) -> None:
    env = emulated
    create_template(env, "tpl", vhd_template(customizers=3))
    poller = env.client.begin_run("rg", "tpl")
    states: list[str] = []
    times: list[object] = []

    def sleep(_: float) -> None:
        env.clock.advance(BUILD_SECONDS / 10)

    lines: list[str] = []
    for line in follow_customization_log(
        env.staging_url,
        credential=env.staging_credential,
        is_running=lambda: run_in_progress(env.client, "rg", "tpl"),
        sleep=sleep,
        poll_interval=30,
    ):
        lines.append(line)
        states.append(str(env.client.get("rg", "tpl").last_run_status.run_state))
        times.append(env.clock.now())
    assert str(poller.result().run_state) == "Succeeded"

    run_id = latest_run_id(env.staging_url, credential=env.staging_credential)
    full = download_customization_log(env.staging_url, credential=env.staging_credential)
    assert lines[0] == f"==> {run_id}/customization.log <=="
    assert lines[1:] == full.splitlines()
    assert any("Running provisioner: shell (step2)" in line for line in lines)
    assert not run_in_progress(env.client, "rg", "tpl")
    # The emulator writes the log as the build goes: lines arrived while the run was still going, over
    # several polls.
    assert states[0] == "Running"
    assert len(set(times)) > 2


def test_log_location_hint_says_where_and_how() -> None:
    hint = log_location_hint("my-rg", "my-tpl")
    assert "IT_my-rg_my-tpl_<guid>" in hint
    assert "packerlogs" in hint
    assert "<run-id>/customization.log" in hint
    assert "azimagebuilder logs my-rg my-tpl" in hint

    exact = log_location_hint(
        "rg",
        "tpl",
        staging_resource_group="IT_rg_tpl_0f9e",
        run_id="abc",
        log_url="https://acct.blob.core.windows.net/packerlogs/abc/customization.log?sv=1&sig=SECRET",
    )
    assert exact.startswith(
        "Build log: https://acct.blob.core.windows.net/packerlogs/abc/customization.log "
        "(staging resource group IT_rg_tpl_0f9e). Fetch it with `azimagebuilder logs rg tpl`"
    )
    assert "SECRET" not in exact
    assert "sig=" not in exact


def test_find_staging_resource_group_by_tags_then_by_name(emulated: Emulated) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient

    env = emulated
    sub = env.emulator.subscription_id
    kwargs = {"connection_verify": env.emulator.ca_cert}
    arm = ResourceManagementClient(
        env.emulator.credential,
        sub,
        base_url=env.emulator.base_url,
        credential_scopes=[f"{env.emulator.base_url}/.default"],
        **kwargs,
    )
    guid = "5d5e1f8e-2a5c-4d5f-9c1e-1c9b8f0e7a11"
    with arm:
        # what Image Builder creates, and look-alikes that must not be picked
        arm.resource_groups.create_or_update(f"IT_rg_tpl_{guid}", {"location": "westus2"})
        arm.resource_groups.create_or_update(f"IT_rg_tpl_x_{guid}", {"location": "westus2"})
        arm.resource_groups.create_or_update("IT_rg_tpl_not-a-guid", {"location": "westus2"})
        arm.resource_groups.create_or_update(
            "custom-staging",
            {
                "location": "westus2",
                "tags": {
                    "createdBy": "AzureVMImageBuilder",
                    "imageTemplateName": "tagged",
                    "imageTemplateResourceGroupName": "rg",
                },
            },
        )
    found = find_staging_resource_group(
        env.emulator.credential, sub, "rg", "tpl", base_url=env.emulator.base_url, **kwargs
    )
    assert found == f"IT_rg_tpl_{guid}"
    assert (
        find_staging_resource_group(
            env.emulator.credential, sub, "RG", "Tagged", base_url=env.emulator.base_url, **kwargs
        )
        == "custom-staging"
    )
    with pytest.raises(LogNotFoundError, match="IT_rg_missing_<guid>"):
        find_staging_resource_group(
            env.emulator.credential, sub, "rg", "missing", base_url=env.emulator.base_url, **kwargs
        )


def test_find_log_location_with_an_explicit_storage_url(emulated: Emulated) -> None:
    env = emulated
    BlobArtifactStore(env.staging_url, env.staging_credential).put_log(
        "IT_rg_tpl_x", "zz-" + hashlib.sha1(b"explicit").hexdigest()[:8], "hello\n"
    )
    where = find_log_location(
        env.emulator.credential,
        env.emulator.subscription_id,
        "rg",
        "tpl",
        storage_url=env.staging_url,
        storage_credential=env.staging_credential,
        run_id="zz-" + hashlib.sha1(b"explicit").hexdigest()[:8],
    )
    assert where.url == f"{env.staging_url}/packerlogs/{where.run_id}/customization.log"
    assert download_customization_log(where, credential=env.staging_credential) == "hello\n"


def test_a_template_from_api_2022_02_14_names_its_staging_group(emulated: Emulated) -> None:
    import azimagebuilder as aib
    from azimagebuilder.resources.logs import staging_resource_group_of

    env = emulated
    with aib.ImageBuilderClient(
        env.emulator.credential,
        env.emulator.subscription_id,
        base_url=env.emulator.base_url,
        connection_verify=env.emulator.ca_cert,
        api_version="2022-02-14",
        polling_interval=0,
    ) as client:
        identity = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/"
        identity += "userAssignedIdentities/aib"
        template = {
            **vhd_template().to_arm(),
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {identity: {}}},
        }
        poller = client.begin_create_or_update("rg", "named", template)
        env.clock.advance(BUILD_SECONDS)
        poller.result()
        got = client.get("rg", "named")
    group = staging_resource_group_of(got)
    assert group is not None
    assert group.startswith("IT_rg_named_")
    # Found from the template alone: the emulator's resource group list does not even hold it.
    assert (
        find_staging_resource_group(
            env.emulator.credential,
            env.emulator.subscription_id,
            "rg",
            "named",
            template=got,
            base_url="https://x.invalid",
        )
        == group
    )
    assert staging_resource_group_of({"properties": {}}) is None


def test_staging_group_and_account_found_through_microsoft_resources(emulated: Emulated) -> None:
    from azimagebuilder.emulator._artifacts import staging_account_name
    from azimagebuilder.resources.logs import find_staging_storage_account

    env = emulated
    create_template(env, "found")
    create_template(env, "found_too")  # a look-alike name that must not be taken for "found"
    emu = env.emulator
    kwargs = {"base_url": emu.base_url, "connection_verify": emu.ca_cert}
    group = find_staging_resource_group(emu.credential, emu.subscription_id, "rg", "found", **kwargs)
    other = find_staging_resource_group(emu.credential, emu.subscription_id, "rg", "found_too", **kwargs)
    assert group.startswith("IT_rg_found_")
    assert other.startswith("IT_rg_found_too_")
    account = find_staging_storage_account(emu.credential, emu.subscription_id, group, **kwargs)
    assert account == staging_account_name(group)


def test_blob_endpoint_of_the_staging_account(emulated: Emulated) -> None:
    from azimagebuilder.emulator import parse_fault
    from azimagebuilder.emulator._artifacts import staging_account_name
    from azimagebuilder.resources.logs import find_staging_blob_endpoint

    env = emulated
    create_template(env, "ep")
    emu = env.emulator
    kwargs: dict[str, Any] = {"base_url": emu.base_url, "connection_verify": emu.ca_cert}
    group = find_staging_resource_group(emu.credential, emu.subscription_id, "rg", "ep", **kwargs)
    account = staging_account_name(group)
    # The emulator serves the account: its primaryEndpoints.blob is where the artifact store (Azurite) keeps
    # the logs.
    endpoint = find_staging_blob_endpoint(emu.credential, emu.subscription_id, group, **kwargs)
    assert endpoint == env.store.account_url
    # When that read fails (without storageAccounts/read on the group, or here a 500 not retried), the
    # endpoint is derived from the account's name and the cloud's storage suffix.
    rule = emu.faults.add(parse_fault("storage.storageAccounts.getProperties=500"))
    kwargs["retry_total"] = 0
    derived = find_staging_blob_endpoint(emu.credential, emu.subscription_id, group, **kwargs)
    assert derived == f"https://{account}.blob.core.windows.net"
    sovereign = find_staging_blob_endpoint(
        emu.credential, emu.subscription_id, group, storage_suffix="core.chinacloudapi.cn", **kwargs
    )
    assert sovereign == f"https://{account}.blob.core.chinacloudapi.cn"
    assert rule.hits == 2


def test_a_log_found_with_a_sas_url_is_read_with_that_sas(logs_account: tuple[str, dict[str, str]]) -> None:
    from datetime import datetime, timedelta, timezone

    from azure.storage.blob import ContainerSasPermissions, generate_container_sas

    url, cred = logs_account
    BlobArtifactStore(url, cred).put_log("IT_rg_tpl_x", "run-s", "signed\n")
    sas = generate_container_sas(
        cred["account_name"],
        "packerlogs",
        account_key=cred["account_key"],
        permission=ContainerSasPermissions(read=True, list=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    where = find_log_location(None, "sub", "rg", "tpl", storage_url=f"{url}?{sas}")
    assert where.run_id == "run-s"
    assert where.account_url == url
    assert "sig=" not in repr(where)
    assert download_customization_log(where) == "signed\n"


def test_following_an_unknown_run_id_says_so_when_the_run_ends(
    logs_account: tuple[str, dict[str, str]],
) -> None:
    """`logs --follow --run-id <unknown>` ended silently with exit 0."""
    url, cred = logs_account
    BlobArtifactStore(url, cred).put_log("IT_rg_tpl_x", "run-1", "a real log\n")
    polls: list[float] = []
    lines = follow_customization_log(
        url,
        credential=cred,
        run_id="no-such-run",
        is_running=lambda: len(polls) < 2,
        sleep=polls.append,
        poll_interval=0,
    )
    with pytest.raises(LogNotFoundError, match=r"no packerlogs/no-such-run/customization\.log"):
        next(lines)  # no line: the run ends and the log never appeared
    assert len(polls) == 2  # it waited while the run went on, in case the log appeared


def test_following_an_account_without_any_log_says_so(logs_account: tuple[str, dict[str, str]]) -> None:
    url, cred = logs_account
    with pytest.raises(LogNotFoundError, match="no packerlogs/<run-id>"):
        list(follow_customization_log(url, credential=cred, is_running=lambda: False, poll_interval=0))
