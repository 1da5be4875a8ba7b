"""Every public operation of the async ImageBuilderClient, replayed from cassettes/test_recorded_aio_client/.

The async twin of test_recorded_client.py: its own recordings, so the aiohttp transport's requests are
what is matched on replay.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azimagebuilder import (
    ApiVersionNotSupportedError,
    BuildCanceledError,
    BuildFailedError,
    BuildResult,
    ImageTemplate,
    RunOutput,
    TemplateExistsError,
    Trigger,
    VhdNotCopiedError,
)

pytestmark = pytest.mark.vcr

PROBE = "probe"  # a template name that is never created


async def _create(session: Any, client: Any, name: str, template: Any = None) -> ImageTemplate:
    poller = await client.begin_create_or_update(session.resource_group, name, template or session.template())
    result: ImageTemplate = await poller.result()
    return result


async def test_begin_create_or_update(session: Any) -> None:
    async with session.aio_client() as client:
        template = await _create(session, client, "create")
    assert template.provisioning_state == "Succeeded"
    assert template.name == "create"
    assert template.customize[0].name == "hello"


async def test_get(session: Any) -> None:
    async with session.aio_client() as client:
        await _create(session, client, "get")
        template = await client.get(session.resource_group, "get")
    assert template.provisioning_state == "Succeeded"
    assert template.last_run_status is None
    assert template.distribute[0].run_output_name == "vhd"


@pytest.mark.recording(page_size=1)  # one template per page: the lists follow nextLink
async def test_list_by_subscription_and_resource_group(session: Any, vcr: Any) -> None:
    async with session.aio_client() as client:
        await _create(session, client, "list-a")
        await _create(session, client, "list-b")
        by_subscription = sorted([t.name async for t in client.list()])
        by_group = sorted([t.name async for t in client.list(session.resource_group)])
    assert {"list-a", "list-b"} <= set(by_subscription)
    assert by_group == ["list-a", "list-b"]
    if session.recorded_against == "emulator":  # Azure pages as it likes
        next_pages = [r for r in vcr.requests if "$skiptoken=" in r.uri.lower()]
        assert len(next_pages) >= 2, "expected the subscription and group lists to follow nextLink"


async def test_begin_update_tags(session: Any) -> None:
    async with session.aio_client() as client:
        await _create(session, client, "tags")
        poller = await client.begin_update(session.resource_group, "tags", tags={"team": "images"})
        updated = await poller.result()
    assert updated.tags == {"team": "images"}


async def test_begin_delete(session: Any) -> None:
    async with session.aio_client() as client:
        await _create(session, client, "delete")
        poller = await client.begin_delete(session.resource_group, "delete")
        assert await poller.result() is None
        with pytest.raises(ResourceNotFoundError):
            await client.get(session.resource_group, "delete")


async def test_begin_delete_keeps_an_uncopied_vhd_unless_forced(session: Any) -> None:
    async with session.aio_client() as client:
        await _create(session, client, "guarded")
        await (await client.begin_run(session.resource_group, "guarded")).result()
        with pytest.raises(VhdNotCopiedError) as caught:
            await client.begin_delete(session.resource_group, "guarded")
        await (await client.begin_delete(session.resource_group, "guarded", force=True)).result()
        with pytest.raises(ResourceNotFoundError):
            await client.get(session.resource_group, "guarded")
    assert caught.value.run_output_names == ["vhd"]


async def test_begin_run_and_run_outputs(session: Any) -> None:
    async with session.aio_client() as client:
        await _create(session, client, "run")
        status = await (await client.begin_run(session.resource_group, "run")).result()
        outputs = [o async for o in client.list_run_outputs(session.resource_group, "run")]
        vhd = await client.get_run_output(session.resource_group, "run", "vhd")
    assert status.run_state == "Succeeded"
    assert [o.name for o in outputs] == ["vhd"]
    assert isinstance(vhd, RunOutput)
    assert vhd.provisioning_state == "Succeeded"
    assert vhd.artifact_uri is not None
    assert ".blob.core.windows.net/" in vhd.artifact_uri


async def test_begin_run_resumes_from_continuation_token(session: Any) -> None:
    async with session.aio_client() as client:
        await _create(session, client, "resume")
        token = (await client.begin_run(session.resource_group, "resume")).continuation_token()
    async with session.aio_client() as client:
        poller = await client.begin_run(session.resource_group, "resume", continuation_token=token)
        status = await poller.result()
    assert status.run_state == "Succeeded"


async def test_build(session: Any) -> None:
    events: list[Any] = []
    async with session.aio_client() as client:
        result = await client.build(
            session.resource_group, "build", session.template(), progress=events.append
        )
    assert isinstance(result, BuildResult)
    assert result.succeeded
    assert set(result.vhd_uris) == {"vhd"}
    assert events, "build() reported no progress"


# -- failure paths ----------------------------------------------------------------------------------------


@pytest.mark.recording(scenario="fail:Customizing")
async def test_failed_build_raises_packer_build_failed(session: Any) -> None:
    async with session.aio_client() as client:
        await _create(session, client, "fails", session.template(inline=("echo hello", "exit 1")))
        poller = await client.begin_run(session.resource_group, "fails")
        with pytest.raises(BuildFailedError) as caught:
            await poller.result()
    assert isinstance(caught.value, HttpResponseError)
    assert caught.value.code == "PackerBuildFailed"
    assert caught.value.last_run_status is not None
    assert caught.value.last_run_status.run_state == "Failed"


@pytest.mark.recording(scenario="partial", live=False)
async def test_partially_succeeded_build_is_returned(session: Any) -> None:
    async with session.aio_client() as client:
        result = await client.build(session.resource_group, "partial", session.template())
    assert result.partially_succeeded
    assert result.run_status.run_state == "PartiallySucceeded"


async def test_get_missing_template_is_404(session: Any) -> None:
    async with session.aio_client() as client:
        with pytest.raises(ResourceNotFoundError) as caught:
            await client.get(session.resource_group, PROBE)
    assert caught.value.status_code == 404


async def test_build_refuses_to_overwrite_a_different_template(session: Any) -> None:
    async with session.aio_client() as client:
        await _create(session, client, "taken")
        with pytest.raises(TemplateExistsError) as caught:
            await client.build(session.resource_group, "taken", session.template(inline=("echo changed",)))
    assert any("customize" in difference for difference in caught.value.differences)


@pytest.mark.recording(
    live=False,
    faults=[{"route": "imageTemplates.get", "status": 429, "times": 2, "retry_after": 1}],
)
async def test_throttled_then_succeeds(session: Any, vcr: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every wait of the async pipeline (Retry-After, polling) ends in asyncio.sleep; in replay none is long.
    waits: list[float] = []
    if not session.recording:
        real_sleep = asyncio.sleep

        async def recording_sleep(delay: float, result: Any = None) -> Any:
            waits.append(delay)
            return await real_sleep(0, result)

        monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    async with session.aio_client() as client:
        await _create(session, client, "throttled")
        template = await client.get(session.resource_group, "throttled")
    assert template.name == "throttled"
    assert [w for w in waits if w > 0] == [], "replay must ignore Retry-After (2 x 1 s)"
    assert [r["status"]["code"] for r in vcr.responses].count(429) == 2


@pytest.mark.recording(
    api_versions=["2022-07-01", "2024-02-01"], api_version="2019-05-01-preview", live=False
)
async def test_unsupported_api_version_says_what_to_pass(session: Any) -> None:
    async with session.aio_client() as client:
        with pytest.raises(ApiVersionNotSupportedError) as caught:
            await client.get(session.resource_group, PROBE)
    assert caught.value.api_version == "2019-05-01-preview"
    assert "api_version" in str(caught.value)


# -- cancel, triggers, update: api-version 2025-10-01 -------------------------------------------------------

LATEST = "2025-10-01"


def _identity(session: Any) -> dict[str, Any]:
    resource_id = (
        f"/subscriptions/{session.subscription_id}/resourceGroups/{session.resource_group}"
        "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/azimagebuilder-identity"
    )
    return session.identity or {"type": "UserAssigned", "userAssignedIdentities": {resource_id: {}}}


@pytest.mark.recording(
    api_version=LATEST, build_duration=30, create_duration=0.4, delete_duration=0.4, live=False
)
async def test_begin_cancel(session: Any) -> None:
    # An async poller polls only when awaited: run, cancel, then the run's result, in that order.
    async with session.aio_client() as client:
        await _create(session, client, "cancel", session.template(identity=_identity(session)))
        run = await client.begin_run(session.resource_group, "cancel")
        status = await (await client.begin_cancel(session.resource_group, "cancel")).result()
        with pytest.raises(BuildCanceledError) as caught:
            await run.result()
        outputs = [o async for o in client.list_run_outputs(session.resource_group, "cancel")]
    assert status.run_state == "Canceled"
    assert caught.value.last_run_status is not None
    assert caught.value.last_run_status.run_state == "Canceled"
    assert outputs == []


@pytest.mark.recording(api_version=LATEST, live=False)
async def test_trigger_operations(session: Any) -> None:
    import azimagebuilder as aib

    source = aib.SharedImageVersionSource(
        image_version_id=(
            f"/subscriptions/{session.subscription_id}/resourceGroups/{session.resource_group}"
            "/providers/Microsoft.Compute/galleries/gallery/images/ubuntu/versions/latest"
        )
    )
    template = session.template(identity=_identity(session), source=source)
    rg = session.resource_group
    async with session.aio_client() as client:
        await _create(session, client, "triggered", template)
        created = await (await client.begin_create_or_update_trigger(rg, "triggered", "source")).result()
        got = await client.get_trigger(rg, "triggered", "source")
        listed = [t async for t in client.list_triggers(rg, "triggered")]
        await (await client.begin_delete_trigger(rg, "triggered", "source")).result()
        with pytest.raises(ResourceNotFoundError):
            await client.get_trigger(rg, "triggered", "source")
    assert isinstance(created, Trigger)
    assert got.kind == "SourceImage"
    assert [t.name for t in listed] == ["source"]


@pytest.mark.recording(api_version=LATEST, live=False)
async def test_begin_update_every_patchable_field(session: Any) -> None:
    import azimagebuilder as aib

    rg = session.resource_group
    async with session.aio_client() as client:
        await _create(session, client, "patched", session.template(identity=_identity(session)))
        poller = await client.begin_update(
            rg,
            "patched",
            tags={"team": "images"},
            identity=_identity(session),
            distribute=[aib.VhdDistributor(run_output_name="vhd2")],
            vm_profile=aib.VmProfile(vm_size="Standard_D4s_v3", os_disk_size_gb=64),
        )
        await poller.result()
        again = await client.get(rg, "patched")
    assert again.tags == {"team": "images"}
    assert [d.run_output_name for d in again.distribute] == ["vhd2"]
    assert again.vm_profile is not None
    assert again.vm_profile.vm_size == "Standard_D4s_v3"
