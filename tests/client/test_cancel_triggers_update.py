"""begin_cancel, the trigger methods and begin_update (sync and aio) against the emulator, at the
api-versions that brought them and at 2025-10-01; and what an older api-version refuses locally."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError

from azimagebuilder import (
    ApiVersionTooOldError,
    BuildCanceledError,
    BuildFailedError,
    ImageBuilderClient,
    Trigger,
)
from azimagebuilder.aio import ImageBuilderClient as AsyncImageBuilderClient
from azimagebuilder.models import RunState

RG = "rg-images"
LATEST = "2025-10-01"


def identity_id(emu: Any) -> str:
    return (
        f"/subscriptions/{emu.subscription_id}/resourceGroups/{RG}/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/aib"
    )


def template(emu: Any, *, gallery_source: bool = False, **tags: str) -> dict[str, Any]:
    source: dict[str, Any] = {
        "type": "PlatformImage",
        "publisher": "Canonical",
        "offer": "UbuntuServer",
        "sku": "18.04-LTS",
        "version": "latest",
    }
    if gallery_source:
        source = {
            "type": "SharedImageVersion",
            "imageVersionId": (
                f"/subscriptions/{emu.subscription_id}/resourceGroups/{RG}/providers/Microsoft.Compute"
                "/galleries/gallery/images/ubuntu/versions/latest"
            ),
        }
    return {
        "location": "westus2",
        "tags": tags,
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {identity_id(emu): {}}},
        "properties": {
            "source": source,
            "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
            "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
        },
    }


def client_for(emu: Any, api_version: str, **kwargs: Any) -> ImageBuilderClient:
    kwargs.setdefault("polling_interval", 0.05)
    return ImageBuilderClient(
        emu.credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        api_version=api_version,
        **kwargs,
    )


def aio_client_for(emu: Any, api_version: str) -> AsyncImageBuilderClient:
    return AsyncImageBuilderClient(
        emu.async_credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        api_version=api_version,
        polling_interval=0.05,
    )


@pytest.fixture
def slow_emulator(emulator_factory: Callable[..., Any]) -> Callable[..., Any]:
    """An emulator whose builds take a minute (so a test cancels them) but creation and cancel are quick."""

    def start(**kwargs: Any) -> Any:
        kwargs.setdefault("build_duration", 60)
        kwargs.setdefault("create_duration", 0.2)
        kwargs.setdefault("delete_duration", 0.3)
        return emulator_factory(**kwargs)

    return start


# -- cancel ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("api_version", ["2020-02-14", "2024-02-01", LATEST])
def test_begin_cancel_ends_when_the_run_is_canceled(slow_emulator: Any, api_version: str) -> None:
    emu = slow_emulator()
    with client_for(emu, api_version) as client:
        client.begin_create_or_update(RG, "t", template(emu)).result()
        run = client.begin_run(RG, "t")
        status = client.begin_cancel(RG, "t").result()
        assert status.run_state == RunState.CANCELED
        with pytest.raises(BuildCanceledError) as caught:
            run.result()
        assert not isinstance(caught.value, BuildFailedError)
        assert caught.value.last_run_status is not None
        assert caught.value.last_run_status.run_state == "Canceled"
        last = client.get(RG, "t").last_run_status
        assert last is not None
        assert last.run_state == "Canceled"
        assert list(client.list_run_outputs(RG, "t")) == []


def test_cancel_without_a_running_build_is_the_services_conflict(slow_emulator: Any) -> None:
    emu = slow_emulator()
    with client_for(emu, LATEST) as client:
        client.begin_create_or_update(RG, "t", template(emu)).result()
        with pytest.raises(ResourceExistsError, match="no build in progress"):
            client.begin_cancel(RG, "t")


def test_cancel_resumes_from_a_continuation_token(slow_emulator: Any) -> None:
    emu = slow_emulator(delete_duration=1.0)
    with client_for(emu, LATEST) as client:
        client.begin_create_or_update(RG, "t", template(emu)).result()
        client.begin_run(RG, "t")
        token = client.begin_cancel(RG, "t", polling_interval=0.05).continuation_token()
    with client_for(emu, LATEST) as other:
        status = other.begin_cancel(RG, "t", continuation_token=token).result()
    assert status.run_state == "Canceled"
    with client_for(emu, LATEST) as other, pytest.raises(ValueError, match="begin_cancel"):
        other.begin_cancel(RG, "t", continuation_token="not a token")


def test_build_raises_build_canceled_error_when_canceled(slow_emulator: Any) -> None:
    emu = slow_emulator()
    with client_for(emu, LATEST) as client:
        started = threading.Event()

        def on_progress(event: Any) -> None:
            if event.run_state == "Running":
                started.set()

        outcome: list[BaseException] = []

        def build() -> None:
            try:
                client.build(RG, "t", template(emu), progress=on_progress)
            except BaseException as exc:  # the test reads it below
                outcome.append(exc)

        thread = threading.Thread(target=build)
        thread.start()
        assert started.wait(30), "the build never reported Running"
        client.begin_cancel(RG, "t").result()
        thread.join(30)
        assert len(outcome) == 1
        assert isinstance(outcome[0], BuildCanceledError)
        last = client.get(RG, "t").last_run_status
        assert last is not None
        assert last.run_state == "Canceled"
        assert list(client.list_run_outputs(RG, "t")) == []


def test_cancel_is_refused_locally_before_2020_02_14(slow_emulator: Any) -> None:
    emu = slow_emulator()
    sent: list[Any] = []
    with client_for(emu, "2019-05-01-preview") as client, pytest.raises(ApiVersionTooOldError) as caught:
        client.begin_cancel(RG, "t", raw_request_hook=sent.append)
    assert caught.value.required_api_version == "2020-02-14"
    assert "api_version='2020-02-14'" in str(caught.value)
    assert sent == []


def test_aio_cancel_and_build_canceled(slow_emulator: Any) -> None:
    emu = slow_emulator()

    async def main() -> None:
        async with aio_client_for(emu, LATEST) as client:
            await (await client.begin_create_or_update(RG, "t", template(emu))).result()
            run = await client.begin_run(RG, "t")
            status = await (await client.begin_cancel(RG, "t")).result()
            assert status.run_state == "Canceled"
            with pytest.raises(BuildCanceledError):
                await run.result()
            assert [o async for o in client.list_run_outputs(RG, "t")] == []
            last = (await client.get(RG, "t")).last_run_status
            assert last is not None
            assert last.run_state == "Canceled"

    asyncio.run(main())


# -- triggers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("api_version", ["2022-07-01", LATEST])
def test_trigger_lifecycle(slow_emulator: Any, api_version: str) -> None:
    emu = slow_emulator()
    with client_for(emu, api_version) as client:
        client.begin_create_or_update(RG, "t", template(emu, gallery_source=True)).result()
        created = client.begin_create_or_update_trigger(RG, "t", "source").result()
        assert isinstance(created, Trigger)
        assert created.kind == "SourceImage"
        assert created.provisioning_state == "Succeeded"
        assert created.status is not None
        assert created.status.code == "Healthy"
        again = client.begin_create_or_update_trigger(RG, "t", "source", Trigger()).result()
        assert again.name == "source"
        got = client.get_trigger(RG, "t", "source")
        assert got.id is not None
        assert got.id.endswith("/imageTemplates/t/triggers/source")
        assert [t.name for t in client.list_triggers(RG, "t")] == ["source"]
        assert client.begin_delete_trigger(RG, "t", "source").result() is None
        with pytest.raises(ResourceNotFoundError):
            client.get_trigger(RG, "t", "source")
        assert list(client.list_triggers(RG, "t")) == []


def test_a_source_image_trigger_needs_a_gallery_source(slow_emulator: Any) -> None:
    emu = slow_emulator()
    with client_for(emu, LATEST) as client:
        client.begin_create_or_update(RG, "t", template(emu)).result()
        with pytest.raises(HttpResponseError, match="SharedImageVersion"):
            client.begin_create_or_update_trigger(RG, "t", "source")


def test_triggers_are_refused_locally_before_2022_07_01(slow_emulator: Any) -> None:
    emu = slow_emulator()
    with client_for(emu, "2022-02-14") as client:
        for call in (
            lambda: client.begin_create_or_update_trigger(RG, "t", "source"),
            lambda: client.get_trigger(RG, "t", "source"),
            lambda: client.list_triggers(RG, "t"),
            lambda: client.begin_delete_trigger(RG, "t", "source"),
        ):
            with pytest.raises(ApiVersionTooOldError, match="2022-07-01"):
                call()


def test_aio_trigger_lifecycle(slow_emulator: Any) -> None:
    emu = slow_emulator()

    async def main() -> None:
        async with aio_client_for(emu, LATEST) as client:
            await (await client.begin_create_or_update(RG, "t", template(emu, gallery_source=True))).result()
            created = await (await client.begin_create_or_update_trigger(RG, "t", "source")).result()
            assert created.kind == "SourceImage"
            assert (await client.get_trigger(RG, "t", "source")).name == "source"
            assert [t.name async for t in client.list_triggers(RG, "t")] == ["source"]
            await (await client.begin_delete_trigger(RG, "t", "source")).result()
            assert [t async for t in client.list_triggers(RG, "t")] == []

    asyncio.run(main())


# -- per-call keyword arguments and tracing --------------------------------------------------------------


def test_per_call_headers_and_hooks_reach_the_pipeline(slow_emulator: Any) -> None:
    emu = slow_emulator()
    seen: list[Any] = []
    with client_for(emu, LATEST) as client:
        client.begin_create_or_update(RG, "t", template(emu)).result()
        client.get(RG, "t", headers={"x-ms-test-call": "get"}, raw_request_hook=seen.append)
        list(client.list(RG, headers={"x-ms-test-call": "list"}, raw_request_hook=seen.append))
    calls = [r.http_request.headers.get("x-ms-test-call") for r in seen]
    assert calls == ["get", "list"]


PUBLIC_METHODS = [
    "get",
    "list",
    "begin_create_or_update",
    "begin_update",
    "begin_delete",
    "begin_run",
    "begin_cancel",
    "list_run_outputs",
    "get_run_output",
    "begin_create_or_update_trigger",
    "get_trigger",
    "list_triggers",
    "begin_delete_trigger",
    "build",
]


@pytest.mark.parametrize("cls", [ImageBuilderClient, AsyncImageBuilderClient])
def test_every_public_method_is_traced(cls: type) -> None:
    public = sorted(
        name
        for name in vars(cls)
        if not name.startswith("_") and callable(vars(cls)[name]) and name != "close"
    )
    assert public == sorted(PUBLIC_METHODS)
    for name in PUBLIC_METHODS:
        method = getattr(cls, name)
        # azure-core's decorators wrap the method (functools.wraps leaves __wrapped__).
        assert hasattr(method, "__wrapped__"), f"{cls.__module__}.{name} is not distributed_trace'd"


# -- begin_update ------------------------------------------------------------------------------------


def _vhd(name: str) -> dict[str, Any]:
    return {"type": "VHD", "runOutputName": name}


@pytest.mark.parametrize("api_version", ["2020-02-14", LATEST])
def test_update_tags_and_identity_at_every_version(slow_emulator: Any, api_version: str) -> None:
    emu = slow_emulator()
    other = identity_id(emu).replace("/aib", "/other")
    with client_for(emu, api_version) as client:
        client.begin_create_or_update(RG, "t", template(emu)).result()
        updated = client.begin_update(
            RG,
            "t",
            tags={"team": "images"},
            identity={"type": "UserAssigned", "userAssignedIdentities": {other: {}}},
        ).result()
        again = client.get(RG, "t")
    assert updated.tags == again.tags == {"team": "images"}
    assert again.identity is not None
    assert again.identity.resource_ids == [other]


@pytest.mark.parametrize("api_version", ["2023-07-01", LATEST])
def test_update_distribute_from_2023_07_01(slow_emulator: Any, api_version: str) -> None:
    emu = slow_emulator()
    with client_for(emu, api_version) as client:
        client.begin_create_or_update(RG, "t", template(emu)).result()
        client.begin_update(RG, "t", distribute=[_vhd("first"), _vhd("second")]).result()
        again = client.get(RG, "t")
    assert [d.run_output_name for d in again.distribute] == ["first", "second"]


@pytest.mark.parametrize("api_version", ["2024-02-01", LATEST])
def test_update_vm_profile_from_2024_02_01(slow_emulator: Any, api_version: str) -> None:
    emu = slow_emulator()
    with client_for(emu, api_version) as client:
        client.begin_create_or_update(RG, "t", template(emu)).result()
        client.begin_update(RG, "t", vm_profile={"vmSize": "Standard_D4s_v3", "osDiskSizeGB": 64}).result()
        again = client.get(RG, "t")
    assert again.vm_profile is not None
    assert again.vm_profile.vm_size == "Standard_D4s_v3"
    assert again.vm_profile.os_disk_size_gb == 64


@pytest.mark.parametrize(
    ("api_version", "change", "needs"),
    [
        ("2022-07-01", {"distribute": [_vhd("v")]}, "2023-07-01"),
        ("2023-07-01", {"vm_profile": {"vmSize": "Standard_D2s_v3"}}, "2024-02-01"),
    ],
)
def test_update_refuses_locally_what_the_version_cannot_patch(
    slow_emulator: Any, api_version: str, change: dict[str, Any], needs: str
) -> None:
    emu = slow_emulator()
    sent: list[Any] = []
    with client_for(emu, api_version) as client, pytest.raises(ApiVersionTooOldError) as caught:
        client.begin_update(RG, "t", raw_request_hook=sent.append, **change)
    assert caught.value.required_api_version == needs
    assert caught.value.field is not None
    assert caught.value.field.startswith("properties.")
    assert sent == []


def test_update_refuses_bad_values_and_no_change_locally() -> None:
    from azimagebuilder._operations import update_body

    with pytest.raises(ValueError, match="at least one change"):
        update_body(LATEST, {"tags": None})
    with pytest.raises(ValueError, match=r"vm_profile \(properties.vmProfile\)"):
        update_body(LATEST, {"vm_profile": {"osDiskSizeGB": "big"}})
    with pytest.raises(ValueError, match="distribute"):
        update_body(LATEST, {"distribute": []})
    with pytest.raises(ValueError, match="tags"):
        update_body(LATEST, {"tags": {"a": 1}})


@pytest.mark.parametrize(
    ("api_version", "body", "refused"),
    [
        ("2022-07-01", {"properties": {"distribute": [_vhd("v")]}}, "properties.distribute"),
        ("2023-07-01", {"properties": {"vmProfile": {"vmSize": "x"}}}, "properties.vmProfile"),
        (LATEST, {"properties": {"source": {"type": "PlatformImage"}}}, "properties.source"),
        (LATEST, {"location": "eastus"}, "location"),
    ],
)
def test_the_emulator_refuses_a_patch_the_version_does_not_allow(
    slow_emulator: Any, api_version: str, body: dict[str, Any], refused: str
) -> None:
    from azure.core.rest import HttpRequest

    emu = slow_emulator()
    with client_for(emu, api_version) as client:
        client.begin_create_or_update(RG, "t", template(emu)).result()
        url = client._ops.template_path(RG, "t")
        request = HttpRequest("PATCH", emu.base_url + url, params={"api-version": api_version}, json=body)
        response = client._client.send_request(request)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "InvalidParameter"
        assert error["target"] == refused
        assert refused in error["message"]
        assert client.get(RG, "t").distribute[0].run_output_name == "vhd"  # nothing changed


def test_aio_update(slow_emulator: Any) -> None:
    emu = slow_emulator()

    async def main() -> None:
        async with aio_client_for(emu, LATEST) as client:
            await (await client.begin_create_or_update(RG, "t", template(emu))).result()
            poller = await client.begin_update(
                RG, "t", tags={"a": "b"}, vm_profile={"vmSize": "Standard_D4s_v3"}, distribute=[_vhd("x")]
            )
            await poller.result()
            again = await client.get(RG, "t")
            assert again.tags == {"a": "b"}
            assert again.vm_profile is not None
            assert again.vm_profile.vm_size == "Standard_D4s_v3"
            assert [d.run_output_name for d in again.distribute] == ["x"]
            with pytest.raises(ApiVersionTooOldError):
                async with aio_client_for(emu, "2023-07-01") as old:
                    await old.begin_update(RG, "t", vm_profile={"vmSize": "Standard_D4s_v3"})

    asyncio.run(main())
