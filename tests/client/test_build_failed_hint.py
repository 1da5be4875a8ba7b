"""A failed build's error says where customization.log is and how to fetch it, and never quotes a SAS.

Against the in-process emulator (scenario ``fail:Customizing``), with the sync and the async client, through
``begin_run(...).result()`` and ``build()``; and against the scripted transport, with a service message that
quotes the log's URL with a SAS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from client_support import (
    NAME,
    OP_PATH,
    RG,
    SUB,
    TEMPLATE_PATH,
    AsyncFakeCredential,
    AsyncMockTransport,
    FakeCredential,
    MockTransport,
    Reply,
    Script,
    accepted,
    op,
    template_body,
)
from linux_template import linux_body

from azimagebuilder import ImageBuilderClient
from azimagebuilder._constants import CURRENT_STABLE_API_VERSION
from azimagebuilder._errors import BuildFailedError
from azimagebuilder.aio import ImageBuilderClient as AsyncImageBuilderClient
from azimagebuilder.emulator import Emulator

EMU_RG = "rg-hint"
EMU_NAME = "tpl-fails"
MESSAGE_START = "The image build failed: PackerBuildFailed: "


def _template(emu: Emulator) -> dict[str, Any]:
    identity = (
        f"/subscriptions/{emu.subscription_id}/resourceGroups/{EMU_RG}"
        "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/builder"
    )
    return linux_body(
        identity={"type": "UserAssigned", "userAssignedIdentities": {identity: {}}},
        tags={"azimagebuilder.emulator.scenario": "fail:Customizing"},
    )


def _assert_names_the_log(err: BuildFailedError, rg: str = EMU_RG, name: str = EMU_NAME) -> None:
    text = str(err)
    assert text.startswith(MESSAGE_START)  # the message still starts as before
    assert err.code == "PackerBuildFailed"
    assert err.service_message
    assert "customization.log" in err.service_message
    assert err.last_run_status is not None
    assert err.last_run_status.run_state == "Failed"
    hint = err.log_hint
    assert hint is not None
    assert text.endswith("\n" + hint)  # the hint is the message's last line
    for expected in (
        f"IT_{rg}_{name}_",
        "packerlogs",
        "customization.log",
        f"`azimagebuilder logs {rg} {name}`",
    ):
        assert expected in hint, expected
        assert expected in text, expected


@pytest.fixture
def failing(emulator_factory: Callable[..., Emulator]) -> Emulator:
    return emulator_factory(scenario="fail:Customizing")


def _sync_client(emu: Emulator, **kwargs: Any) -> ImageBuilderClient:
    return ImageBuilderClient(
        emu.credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        polling_interval=0,
        **kwargs,
    )


def _async_client(emu: Emulator, **kwargs: Any) -> AsyncImageBuilderClient:
    return AsyncImageBuilderClient(
        emu.credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        polling_interval=0,
        **kwargs,
    )


@pytest.mark.parametrize("api_version", [None, CURRENT_STABLE_API_VERSION])
def test_begin_run_names_the_log_and_the_command(failing: Emulator, api_version: str | None) -> None:
    kwargs = {"api_version": api_version} if api_version else {}
    with _sync_client(failing, **kwargs) as client:
        client.begin_create_or_update(EMU_RG, EMU_NAME, _template(failing)).result()
        with pytest.raises(BuildFailedError) as info:
            client.begin_run(EMU_RG, EMU_NAME).result()
    _assert_names_the_log(info.value)
    if api_version:  # the template reports its staging group (exactStagingResourceGroup): no placeholder
        assert "<guid>" not in str(info.value)


def test_build_names_the_log(failing: Emulator) -> None:
    with _sync_client(failing) as client, pytest.raises(BuildFailedError) as info:
        client.build(EMU_RG, EMU_NAME, _template(failing))
    _assert_names_the_log(info.value)


async def test_aio_begin_run_and_build_name_the_log(failing: Emulator) -> None:
    async with _async_client(failing, api_version=CURRENT_STABLE_API_VERSION) as client:
        await (await client.begin_create_or_update(EMU_RG, EMU_NAME, _template(failing))).result()
        with pytest.raises(BuildFailedError) as info:
            await (await client.begin_run(EMU_RG, EMU_NAME)).result()
        _assert_names_the_log(info.value)
        with pytest.raises(BuildFailedError) as again:
            await client.build(EMU_RG, "other", _template(failing))
        _assert_names_the_log(again.value, name="other")


# -- a SAS in the service's message -------------------------------------------------------------------

SAS = "sv=2021-08-06&se=2030-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D"
LOG_URL = "https://abcstaging.blob.core.windows.net/packerlogs/7c1e/customization.log"
SAS_MESSAGE = (
    "Packer build command has failed: exit status 1. Image Build log location: "
    f"{LOG_URL}?{SAS}. OperationId: 7c1e. Use this operationId when requesting support."
)
STAGING = f"/subscriptions/{SUB}/resourceGroups/IT_{RG}_{NAME}_0f9e"


def _steps() -> list[Any]:
    failed = {
        "startTime": "2020-09-08T04:29:55.838053665Z",
        "endTime": "2020-09-08T04:41:02.1Z",
        "runState": "Failed",
        "runSubState": "Customizing",
        "message": SAS_MESSAGE,
    }
    error = {
        "code": "PackerBuildFailed",
        "message": SAS_MESSAGE,
        "details": [{"code": "x", "message": SAS_MESSAGE}],
    }
    body = template_body(last_run=failed)
    body["properties"]["exactStagingResourceGroup"] = STAGING
    return [
        ("POST", TEMPLATE_PATH + "/run", accepted()),
        ("GET", OP_PATH, op("Failed", error=error)),
        ("GET", TEMPLATE_PATH, Reply(200, body)),
    ]


def _texts(err: BaseException) -> list[str]:
    """Every text the error shows or keeps, its chained cause included."""
    texts = [str(err), repr(err), repr(err.args)]
    for attr in ("message", "exc_msg", "service_message", "log_hint", "code", "error"):
        texts.append(str(getattr(err, attr, None)))
    status = getattr(err, "last_run_status", None)
    texts.append(repr(status))
    if err.__cause__ is not None:
        texts += _texts(err.__cause__)
    return texts


def _assert_no_sas(err: BuildFailedError) -> None:
    assert str(err).startswith(MESSAGE_START)
    for text in _texts(err):
        assert "sig=" not in text, text
    assert err.log_hint is not None
    assert LOG_URL in err.log_hint  # the URL the service gave, without its query
    assert f"IT_{RG}_{NAME}_0f9e" in err.log_hint  # from exactStagingResourceGroup
    assert f"`azimagebuilder logs {RG} {NAME}`" in err.log_hint
    assert err.service_message is not None
    assert LOG_URL in err.service_message
    assert err.last_run_status is not None
    assert LOG_URL in str(err.last_run_status.message)


def test_a_sas_in_the_service_message_never_reaches_the_error() -> None:
    transport = MockTransport(Script(_steps()))
    client = ImageBuilderClient(FakeCredential(), SUB, transport=transport, polling_interval=0)
    with pytest.raises(BuildFailedError) as info:
        client.begin_run(RG, NAME).result()
    _assert_no_sas(info.value)


async def test_aio_a_sas_in_the_service_message_never_reaches_the_error() -> None:
    transport = AsyncMockTransport(Script(_steps()))
    async with AsyncImageBuilderClient(
        AsyncFakeCredential(), SUB, transport=transport, polling_interval=0
    ) as c:
        with pytest.raises(BuildFailedError) as info:
            await (await c.begin_run(RG, NAME)).result()
    _assert_no_sas(info.value)
