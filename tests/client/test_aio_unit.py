"""The async client against the scripted transport: the same wire behaviour as the sync client."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import ResourceNotFoundError
from client_support import (
    NAME,
    OP_PATH,
    OP_URL,
    RG,
    SUB,
    TEMPLATE_PATH,
    AsyncFakeCredential,
    AsyncMockTransport,
    Reply,
    Script,
    accepted,
    dropped,
    json_of,
    local_template,
    op,
    template_body,
)

from azimagebuilder._errors import ApiVersionNotSupportedError, BuildFailedError, VhdNotCopiedError
from azimagebuilder.aio import ImageBuilderClient

DONE = {
    "startTime": "2020-09-08T04:29:55.838053665Z",
    "endTime": "2020-09-08T04:41:02.1Z",
    "runState": "Succeeded",
    "runSubState": "Distributing",
    "message": "",
}


def make(steps: list[Any], **kwargs: Any) -> tuple[ImageBuilderClient, AsyncMockTransport, Script]:
    script = Script(steps)
    transport = AsyncMockTransport(script)
    client = ImageBuilderClient(
        AsyncFakeCredential(), SUB, transport=transport, polling_interval=0, retry_backoff_factor=0, **kwargs
    )
    return client, transport, script


async def test_create_run_outputs_and_delete() -> None:
    vhd = {"name": "vhd", "properties": {"artifactUri": "https://a.blob.core.windows.net/vhds/x.vhd"}}
    client, transport, script = make(
        [
            ("PUT", TEMPLATE_PATH, Reply(201, template_body("Creating"), {"Azure-AsyncOperation": OP_URL})),
            ("GET", OP_PATH, op("Succeeded")),
            ("GET", TEMPLATE_PATH, Reply(200, template_body())),
            ("POST", TEMPLATE_PATH + "/run", accepted()),
            ("GET", OP_PATH, op("InProgress")),
            ("GET", OP_PATH, op("Succeeded")),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
            ("GET", TEMPLATE_PATH + "/runOutputs", Reply(200, {"value": [vhd]})),
            ("GET", TEMPLATE_PATH + "/runOutputs/vhd", Reply(200, vhd)),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
            ("GET", TEMPLATE_PATH + "/runOutputs", Reply(200, {"value": [vhd]})),
            ("DELETE", TEMPLATE_PATH, accepted()),
            ("GET", OP_PATH, op("Succeeded")),
        ]
    )
    async with client:
        poller = await client.begin_create_or_update(RG, NAME, local_template(), validate=False)
        template = await poller.result()
        assert template.provisioning_state == "Succeeded"
        assert json_of(transport.requests[0]) == local_template()
        status = await (await client.begin_run(RG, NAME)).result()
        assert status.run_state == "Succeeded"
        outputs = [o async for o in client.list_run_outputs(RG, NAME)]
        assert [o.name for o in outputs] == ["vhd"]
        assert (await client.get_run_output(RG, NAME, "vhd")).artifact_uri.endswith("x.vhd")
        with pytest.raises(VhdNotCopiedError):
            await client.begin_delete(RG, NAME)
        await (await client.begin_delete(RG, NAME, force=True)).result()
    assert script.done


async def test_failed_build_and_errors() -> None:
    client, _, _ = make(
        [
            ("POST", TEMPLATE_PATH + "/run", accepted()),
            ("GET", OP_PATH, op("Failed", error={"code": "PackerBuildFailed", "message": "see packerlogs"})),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run={**DONE, "runState": "Failed"}))),
            ("GET", TEMPLATE_PATH, Reply(404, {"error": {"code": "ResourceNotFound", "message": "gone"}})),
            (
                "GET",
                TEMPLATE_PATH,
                Reply(
                    400,
                    {
                        "error": {
                            "code": "InvalidApiVersionParameter",
                            "message": "api-version '2019-05-01-preview' is invalid",
                        }
                    },
                ),
            ),
        ]
    )
    async with client:
        poller = await client.begin_run(RG, NAME)
        with pytest.raises(BuildFailedError) as info:
            await poller.result()
        assert info.value.code == "PackerBuildFailed"
        assert info.value.last_run_status is not None
        with pytest.raises(ResourceNotFoundError):
            await client.get(RG, NAME)
        with pytest.raises(ApiVersionNotSupportedError):
            await client.get(RG, NAME)


async def test_list_pages_and_retry_after() -> None:
    client, transport, script = make(
        [
            ("GET", "/imageTemplates", Reply(429, None, {"Retry-After": "3"})),
            (
                "GET",
                "/imageTemplates",
                Reply(
                    200, {"value": [template_body()], "nextLink": "https://management.azure.com/next?page=2"}
                ),
            ),
            ("GET", "/next", Reply(200, {"value": [template_body(name="b")]})),
        ]
    )
    async with client:
        names = [t.name async for t in client.list()]
    assert names == [NAME, "b"]
    assert transport.sleeps == [3]
    assert script.done


async def test_dropped_connections_and_5xx_are_retried_while_polling() -> None:
    client, _, script = make(
        [
            ("POST", TEMPLATE_PATH + "/run", accepted()),
            ("GET", OP_PATH, dropped()),
            ("GET", OP_PATH, Reply(502, None)),
            ("GET", OP_PATH, op("Succeeded")),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
        ]
    )
    async with client:
        status = await (await client.begin_run(RG, NAME)).result()
    assert status.run_state == "Succeeded"
    assert script.done


def test_importing_the_aio_package_imports_no_azure_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys, azimagebuilder.aio; print(any(m.startswith(('azure', 'aiohttp')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_build_patches_a_tags_only_difference_and_ends_the_progress_with_the_failure() -> None:
    from azimagebuilder.progress import BuildProgress

    wanted = local_template()
    wanted["tags"] = {"team": "images"}
    client, transport, script = make(
        [
            ("GET", TEMPLATE_PATH, Reply(200, template_body(tags={"team": "old"}))),
            ("PATCH", TEMPLATE_PATH, Reply(200, template_body(tags={"team": "images"}))),
            ("POST", TEMPLATE_PATH + "/run", accepted()),
            ("GET", OP_PATH, op("Failed", error={"code": "PackerBuildFailed", "message": "see packerlogs"})),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run={**DONE, "runState": "Failed"}))),
        ]
    )
    events: list[BuildProgress] = []
    async with client:
        with pytest.raises(BuildFailedError):
            await client.build(RG, NAME, wanted, progress=events.append)
    assert script.done
    assert json_of(transport.requests[1]) == {"tags": {"team": "images"}}
    assert events[0].phase == "updating"
    assert events[-1].describe().startswith(f"{NAME}: Failed: PackerBuildFailed (")
