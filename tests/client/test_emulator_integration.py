"""The sync and async clients against the real local emulator, over HTTPS, with no special code path:
the emulator's certificate goes in through ``connection_verify`` and its credential like any other."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import ResourceNotFoundError
from linux_template import linux_body

from azimagebuilder import ImageBuilderClient, ImageTemplate
from azimagebuilder._constants import CURRENT_STABLE_API_VERSION, VHD_COPIED_TAG_PREFIX
from azimagebuilder._errors import (
    ApiVersionNotSupportedError,
    BuildFailedError,
    TemplateExistsError,
    VhdNotCopiedError,
)
from azimagebuilder.aio import ImageBuilderClient as AsyncImageBuilderClient
from azimagebuilder.progress import BuildProgress

RG = "rg-images"


def template(emu: Any, name: str = "hello", **tags: str) -> dict[str, Any]:
    image_id = (
        f"/subscriptions/{emu.subscription_id}/resourceGroups/{RG}/providers/Microsoft.Compute/images/{name}"
    )
    body = linux_body(tags=tags)
    body["properties"]["distribute"].insert(
        0, {"type": "ManagedImage", "runOutputName": "img", "imageId": image_id, "location": "westus2"}
    )
    return body


def client_for(emu: Any, **kwargs: Any) -> ImageBuilderClient:
    kwargs.setdefault("polling_interval", 0.05)
    return ImageBuilderClient(
        emu.credential, emu.subscription_id, base_url=emu.base_url, connection_verify=emu.ca_cert, **kwargs
    )


def async_client_for(emu: Any) -> AsyncImageBuilderClient:
    return AsyncImageBuilderClient(
        emu.async_credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        polling_interval=0.05,
    )


def test_the_whole_lifecycle(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator()
    with client_for(emu) as client:
        created = client.begin_create_or_update(RG, "hello", template(emu)).result()
        assert isinstance(created, ImageTemplate)
        assert created.provisioning_state == "Succeeded"
        assert [t.name for t in client.list(RG)] == ["hello"]
        assert [t.name for t in client.list()] == ["hello"]

        status = client.begin_run(RG, "hello").result()
        assert status.run_state == "Succeeded"
        assert status.end_time is not None
        assert client.get(RG, "hello").last_run_status == status

        outputs = {o.name: o for o in client.list_run_outputs(RG, "hello")}
        assert outputs["img"].artifact_id is not None
        assert outputs["img"].artifact_id.endswith("/images/hello")
        assert client.get_run_output(RG, "hello", "vhd").artifact_uri == outputs["vhd"].artifact_uri

        with pytest.raises(VhdNotCopiedError, match="vhd"):
            client.begin_delete(RG, "hello")
        tagged = client.begin_update(
            RG, "hello", tags={f"{VHD_COPIED_TAG_PREFIX}vhd": "https://copy/vhd.vhd"}
        )
        assert tagged.result().tags == {f"{VHD_COPIED_TAG_PREFIX}vhd": "https://copy/vhd.vhd"}
        client.begin_delete(RG, "hello").result()  # the copy is recorded: allowed
        with pytest.raises(ResourceNotFoundError):
            client.get(RG, "hello")


def test_build_reports_sub_states_and_reuses_an_identical_template(
    start_emulator: Callable[..., Any],
) -> None:
    from azure.core.pipeline.transport import RequestsTransport

    from azimagebuilder.emulator import ManualClock

    clock = ManualClock()

    class Ticking(RequestsTransport):
        """Each request finds the emulator's clock 0.2 s later: every poll sees the build move on as much,
        however slowly a loaded machine answers (on a real clock a slow poll could skip a phase)."""

        def send(self, request: Any, **kwargs: Any) -> Any:
            clock.advance(0.2)
            return super().send(request, **kwargs)

    emu = start_emulator(build_duration=2.4, clock=clock)
    events: list[BuildProgress] = []
    with client_for(emu, transport=Ticking(connection_verify=emu.ca_cert)) as client:
        result = client.build(RG, "hello", template(emu), progress=events.append)
        assert result.succeeded
        assert set(result.artifact_ids) == {"img"}
        assert set(result.vhd_uris) == {"vhd"}
        order = ["Queued", "Building", "Customizing", "Distributing"]
        seen = [e.run_sub_state for e in events if e.run_state == "Running"]
        assert len(set(seen)) >= 3  # progress was reported while the build went on ...
        assert [order.index(str(s)) for s in seen] == sorted(
            order.index(str(s)) for s in seen
        )  # ... in order
        assert events[-1].phase == "done"
        assert events[-1].run_state == "Succeeded"
        again: list[BuildProgress] = []
        client.build(RG, "hello", template(emu), progress=again.append)
        assert again[0].phase == "running"  # no "creating": reused


def test_a_failed_and_a_partial_build(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator()
    with client_for(emu) as client:
        failing = template(emu, **{"azimagebuilder.emulator.scenario": "fail:Customizing"})
        client.begin_create_or_update(RG, "bad", failing).result()
        with pytest.raises(BuildFailedError) as info:
            client.begin_run(RG, "bad").result()
        assert info.value.code == "PackerBuildFailed"
        assert "customization.log" in str(info.value)
        assert info.value.last_run_status is not None
        assert info.value.last_run_status.run_state == "Failed"

        partial = template(emu, **{"azimagebuilder.emulator.scenario": "partial:img"})
        result = client.build(RG, "partial", partial)
        assert result.partially_succeeded


def test_a_retired_api_version_is_explained(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator(api_versions=["2022-02-14", CURRENT_STABLE_API_VERSION])
    with client_for(emu) as client, pytest.raises(ApiVersionNotSupportedError) as info:
        client.get(RG, "hello")
    assert info.value.suggested_api_version == CURRENT_STABLE_API_VERSION
    assert "api_version=" in str(info.value)


def test_a_new_process_resumes_a_run_started_here(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator(build_duration=1.0)
    with client_for(emu) as client:
        client.begin_create_or_update(RG, "hello", template(emu)).result()
        token = client.begin_run(RG, "hello", polling_interval=30).continuation_token()
    code = textwrap.dedent(f"""
        import sys
        from azimagebuilder import ImageBuilderClient
        from azimagebuilder.emulator._credential import EmulatorCredential
        client = ImageBuilderClient(EmulatorCredential(), {emu.subscription_id!r}, base_url={emu.base_url!r},
                                    connection_verify={emu.ca_cert!r}, polling_interval=0.05)
        status = client.begin_run({RG!r}, "hello", continuation_token=sys.stdin.read()).result()
        print(status.run_state)
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], input=token, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["Succeeded"]


def test_begin_run_reports_each_status_it_reads(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator()
    seen: list[Any] = []
    with client_for(emu) as client:
        client.begin_create_or_update(RG, "hello", template(emu)).result()
        final = client.begin_run(RG, "hello", on_status=seen.append).result()
    assert final.run_state == "Succeeded"
    assert seen[-1] == final
    assert any(s.run_state == "Running" for s in seen)  # the phases in between, not only the end
    order = ["Queued", "Building", "Customizing", "Distributing"]
    subs = [s.run_sub_state for s in seen if s.run_sub_state in order]
    assert subs == sorted(subs, key=order.index)


async def test_the_async_begin_run_reports_each_status_it_reads(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator()
    seen: list[Any] = []
    async with async_client_for(emu) as client:
        await (await client.begin_create_or_update(RG, "hello", template(emu))).result()
        final = await (await client.begin_run(RG, "hello", on_status=seen.append)).result()
    assert final.run_state == "Succeeded"
    assert seen[-1] == final
    assert any(s.run_state == "Running" for s in seen)


async def test_the_async_client_lifecycle(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator()
    async with async_client_for(emu) as client:
        created = await (await client.begin_create_or_update(RG, "hello", template(emu))).result()
        assert created.provisioning_state == "Succeeded"
        status = await (await client.begin_run(RG, "hello")).result()
        assert status.run_state == "Succeeded"
        names = sorted([o.name async for o in client.list_run_outputs(RG, "hello")])
        assert names == ["img", "vhd"]
        assert [t.name async for t in client.list(RG)] == ["hello"]
        with pytest.raises(VhdNotCopiedError):
            await client.begin_delete(RG, "hello")
        await (await client.begin_delete(RG, "hello", force=True)).result()
        with pytest.raises(ResourceNotFoundError):
            await client.get(RG, "hello")
        result = await client.build(RG, "again", template(emu, name="again"))
        assert result.succeeded


async def test_the_async_build_times_out_with_a_token_and_can_resume(
    start_emulator: Callable[..., Any],
) -> None:
    from azimagebuilder._errors import BuildTimeoutError

    emu = start_emulator(build_duration=1.5)
    async with async_client_for(emu) as client:
        with pytest.raises(BuildTimeoutError) as info:
            await client.build(RG, "slow", template(emu, name="slow"), timeout=0.3)
        poller = await client.begin_run(RG, "slow", continuation_token=info.value.continuation_token)
        status = await poller.result()
        assert status.run_state == "Succeeded"


def test_a_template_that_fails_to_provision(start_emulator: Callable[..., Any]) -> None:
    from azure.core.exceptions import HttpResponseError

    emu = start_emulator()
    bad = template(emu, **{"azimagebuilder.emulator.scenario": "provision-fail:BadPIRSource"})
    with client_for(emu) as client:
        with pytest.raises(HttpResponseError) as info:
            client.begin_create_or_update(RG, "broken", bad).result()
        assert not isinstance(info.value, BuildFailedError)
        failed = client.get(RG, "broken")
        assert failed.provisioning_state == "Failed"
        assert failed.provisioning_error is not None
        assert failed.provisioning_error.provisioning_error_code == "BadPIRSource"
        with pytest.raises(TemplateExistsError, match="provisioningState"):
            client.build(RG, "broken", bad)  # an identical but failed template is not reused
