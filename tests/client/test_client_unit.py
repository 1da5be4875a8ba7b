"""ImageBuilderClient against a scripted transport: request shapes, polling, errors, retries."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from client_support import (
    API,
    BASE,
    NAME,
    OP_PATH,
    OP_URL,
    RG,
    SUB,
    TEMPLATE_PATH,
    FakeCredential,
    MockTransport,
    Reply,
    Script,
    accepted,
    api_version_of,
    dropped,
    json_of,
    local_template,
    op,
    template_body,
)

from azimagebuilder._client import ImageBuilderClient
from azimagebuilder._constants import CURRENT_STABLE_API_VERSION
from azimagebuilder._errors import ApiVersionNotSupportedError, BuildFailedError, VhdNotCopiedError

RUNNING = {
    "startTime": "2020-09-08T04:29:55.838053665Z",
    "endTime": "0001-01-01T00:00:00Z",
    "runState": "Running",
    "runSubState": "Building",
    "message": "",
}
DONE = {
    "startTime": "2020-09-08T04:29:55.838053665Z",
    "endTime": "2020-09-08T04:41:02.1Z",
    "runState": "Succeeded",
    "runSubState": "Distributing",
    "message": "",
}


def make(steps: list[Any], **kwargs: Any) -> tuple[ImageBuilderClient, MockTransport, Script]:
    script = Script(steps)
    transport = MockTransport(script)
    kwargs.setdefault("polling_interval", 0)
    client = ImageBuilderClient(FakeCredential(), SUB, transport=transport, retry_backoff_factor=0, **kwargs)
    return client, transport, script


def vhd_output(copied: bool = False) -> dict[str, Any]:
    return {
        "name": "vhd",
        "id": TEMPLATE_PATH + "/runOutputs/vhd",
        "properties": {
            "artifactUri": "https://acct.blob.core.windows.net/vhds/x.vhd",
            "provisioningState": "Succeeded",
        },
    }


# -- create / get / list ------------------------------------------------------------------------------


def test_create_puts_the_resource_body_polls_the_operation_and_reads_the_template() -> None:
    client, transport, script = make(
        [
            ("PUT", TEMPLATE_PATH, Reply(201, template_body("Creating"), {"Azure-AsyncOperation": OP_URL})),
            ("GET", OP_PATH, op("InProgress")),
            ("GET", OP_PATH, op("Succeeded")),
            ("GET", TEMPLATE_PATH, Reply(200, template_body())),
        ]
    )
    template = client.begin_create_or_update(RG, NAME, local_template(), validate=False).result()
    assert script.done
    assert template.provisioning_state == "Succeeded"
    put = transport.requests[0]
    assert json_of(put) == local_template()
    assert all(api_version_of(r) == API for r in transport.requests)
    assert put.headers["Authorization"] == "Bearer fake-secret-token"
    assert transport.sleeps == [0]  # polling_interval=0: polled without waiting


def test_the_polling_interval_is_used_between_polls() -> None:
    client, transport, _ = make(
        [
            ("PUT", TEMPLATE_PATH, Reply(201, template_body("Creating"), {"Azure-AsyncOperation": OP_URL})),
            ("GET", OP_PATH, op("InProgress")),
            ("GET", OP_PATH, op("InProgress")),
            ("GET", OP_PATH, op("Succeeded")),
            ("GET", TEMPLATE_PATH, Reply(200, template_body())),
        ],
        polling_interval=7,
    )
    client.begin_create_or_update(RG, NAME, local_template(), validate=False, polling_interval=3).result()
    assert transport.sleeps == [3, 3]


def test_the_token_scope_follows_base_url() -> None:
    credential = FakeCredential()
    transport = MockTransport(Script([("GET", "/imageTemplates/" + NAME, Reply(200, template_body()))]))
    client = ImageBuilderClient(credential, SUB, base_url="https://127.0.0.1:8443/", transport=transport)
    client.get(RG, NAME)
    assert credential.scopes == [("https://127.0.0.1:8443/.default",)]
    assert transport.requests[0].url.startswith("https://127.0.0.1:8443/subscriptions/")


def test_get_fills_in_the_service_side_status() -> None:
    client, _, _ = make([("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=RUNNING)))])
    template = client.get(RG, NAME)
    assert template.provisioning_state == "Succeeded"
    assert template.last_run_status is not None
    assert template.last_run_status.run_sub_state == "Building"
    assert template.last_run_status.end_time is None


def test_list_follows_next_link_and_scopes_by_resource_group() -> None:
    page2 = (
        f"{BASE}/subscriptions/{SUB}/providers/Microsoft.VirtualMachineImages/imageTemplates"
        f"?api-version={API}&$skiptoken=2"
    )
    client, transport, script = make(
        [
            (
                "GET",
                "/providers/Microsoft.VirtualMachineImages/imageTemplates",
                Reply(200, {"value": [template_body()], "nextLink": page2}),
            ),
            (
                "GET",
                "/providers/Microsoft.VirtualMachineImages/imageTemplates",
                Reply(200, {"value": [template_body(name="other")]}),
            ),
            (
                "GET",
                f"/resourceGroups/{RG}/providers/Microsoft.VirtualMachineImages/imageTemplates",
                Reply(200, {"value": []}),
            ),
        ]
    )
    assert [t.name for t in client.list()] == [NAME, "other"]
    assert transport.requests[1].url == page2
    assert list(client.list(RG)) == []
    assert "/resourceGroups/" not in transport.requests[0].url
    assert script.done


def test_invalid_names_are_refused_before_any_request() -> None:
    client, transport, _ = make([])
    with pytest.raises(ValueError, match="1 to 64"):
        client.get(RG, "bad name!")
    assert transport.requests == []


def test_the_client_is_immutable_and_a_context_manager() -> None:
    client, _, _ = make([])
    with client as entered:
        assert entered is client
        with pytest.raises(AttributeError, match="immutable"):
            client._api_version = "x"  # type: ignore[misc]
    assert client.api_version == API
    assert "api_version='2019-05-01-preview'" in repr(client)


# -- runs -------------------------------------------------------------------------------------------


def test_run_result_is_the_final_run_status() -> None:
    client, transport, script = make(
        [
            ("POST", TEMPLATE_PATH + "/run", accepted()),
            ("GET", OP_PATH, op("InProgress")),
            ("GET", OP_PATH, op("Succeeded", endTime="2020-03-26T13:21:22.7933257Z")),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
        ]
    )
    status = client.begin_run(RG, NAME).result()
    assert script.done
    assert status.run_state == "Succeeded"
    assert transport.requests[0].content in (None, b"")


def test_partially_succeeded_is_returned_not_raised() -> None:
    partial = {**DONE, "runState": "PartiallySucceeded", "message": "one distribution failed"}
    client, _, _ = make(
        [
            ("POST", TEMPLATE_PATH + "/run", accepted(200)),
            ("GET", OP_PATH, op("Succeeded")),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=partial))),
        ]
    )
    status = client.begin_run(RG, NAME).result()
    assert status.run_state == "PartiallySucceeded"
    assert status.message == "one distribution failed"


def test_a_failed_build_raises_build_failed_error_with_code_and_status() -> None:
    failed = {**DONE, "runState": "Failed", "message": "customization failed"}
    message = "Build failed: see customization.log in the staging resource group (container packerlogs)"
    client, _, _ = make(
        [
            ("POST", TEMPLATE_PATH + "/run", accepted()),
            ("GET", OP_PATH, op("Failed", error={"code": "PackerBuildFailed", "message": message})),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=failed))),
        ]
    )
    with pytest.raises(BuildFailedError) as info:
        client.begin_run(RG, NAME).result()
    err = info.value
    assert isinstance(err, HttpResponseError)
    assert err.code == "PackerBuildFailed"
    assert err.error is not None
    assert err.error.code == "PackerBuildFailed"
    assert "packerlogs" in str(err)
    assert err.last_run_status is not None
    assert err.last_run_status.run_state == "Failed"
    assert err.__cause__ is not None


def test_run_outputs_list_and_get() -> None:
    managed = {
        "name": "img",
        "id": TEMPLATE_PATH + "/runOutputs/img",
        "type": "Microsoft.VirtualMachineImages/imageTemplates/runOutputs",
        "properties": {
            "artifactId": f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/images/img",
            "provisioningState": "Succeeded",
        },
    }
    client, _, script = make(
        [
            ("GET", TEMPLATE_PATH + "/runOutputs", Reply(200, {"value": [managed, vhd_output()]})),
            ("GET", TEMPLATE_PATH + "/runOutputs/vhd", Reply(200, vhd_output())),
        ]
    )
    outputs = list(client.list_run_outputs(RG, NAME))
    assert [(o.name, o.artifact_id is not None) for o in outputs] == [("img", True), ("vhd", False)]
    vhd = client.get_run_output(RG, NAME, "vhd")
    assert vhd.artifact_uri == "https://acct.blob.core.windows.net/vhds/x.vhd"
    assert script.done


# -- update / delete --------------------------------------------------------------------------------


def test_update_patches_tags_only() -> None:
    client, transport, _ = make(
        [
            ("PATCH", TEMPLATE_PATH, Reply(200, template_body(tags={"a": "b"}))),
        ]
    )
    template = client.begin_update(RG, NAME, tags={"a": "b"}).result()
    assert json_of(transport.requests[0]) == {"tags": {"a": "b"}}
    assert template.tags == {"a": "b"}


def test_delete_refuses_an_uncopied_vhd_unless_forced() -> None:
    with_run = template_body(last_run=DONE)
    client, transport, _ = make(
        [
            ("GET", TEMPLATE_PATH, Reply(200, with_run)),
            ("GET", TEMPLATE_PATH + "/runOutputs", Reply(200, {"value": [vhd_output()]})),
            ("DELETE", TEMPLATE_PATH, accepted()),
            ("GET", OP_PATH, op("Succeeded")),
        ]
    )
    with pytest.raises(VhdNotCopiedError, match="force=True") as info:
        client.begin_delete(RG, NAME)
    assert info.value.run_output_names == ["vhd"]
    assert all(r.method == "GET" for r in transport.requests)
    assert client.begin_delete(RG, NAME, force=True).result() is None
    assert transport.requests[-2].method == "DELETE"


def test_delete_goes_ahead_when_the_vhd_was_copied_out() -> None:
    copied = template_body(last_run=DONE, tags={"azimagebuilder.vhdCopied.vhd": "https://dest/vhds/x.vhd"})
    client, _, script = make(
        [
            ("GET", TEMPLATE_PATH, Reply(200, copied)),
            ("GET", TEMPLATE_PATH + "/runOutputs", Reply(200, {"value": [vhd_output()]})),
            ("DELETE", TEMPLATE_PATH, accepted()),
            ("GET", OP_PATH, op("InProgress")),
            ("GET", OP_PATH, op("Succeeded")),
        ]
    )
    client.begin_delete(RG, NAME).result()
    assert script.done


def test_delete_of_a_missing_template_has_nothing_to_check() -> None:
    not_found = Reply(404, {"error": {"code": "ResourceNotFound", "message": "not found"}})
    client, _, script = make(
        [
            ("GET", TEMPLATE_PATH, not_found),
            ("DELETE", TEMPLATE_PATH, Reply(204)),
        ]
    )
    client.begin_delete(RG, NAME).result()
    assert script.done


# -- errors -----------------------------------------------------------------------------------------


def test_404_is_resource_not_found_with_the_arm_code() -> None:
    client, _, _ = make(
        [("GET", TEMPLATE_PATH, Reply(404, {"error": {"code": "ResourceNotFound", "message": "gone"}}))]
    )
    with pytest.raises(ResourceNotFoundError) as info:
        client.get(RG, NAME)
    assert info.value.error is not None
    assert info.value.error.code == "ResourceNotFound"
    assert "fake-secret-token" not in str(info.value)
    assert "Authorization" not in info.value.response.request.headers  # type: ignore[union-attr]


def test_the_flat_2019_error_shape_is_parsed() -> None:
    flat = {"code": "InvalidParameter", "message": "bad distribute", "target": "distribute"}
    client, _, _ = make([("PUT", TEMPLATE_PATH, Reply(400, flat))])
    with pytest.raises(HttpResponseError) as info:
        client.begin_create_or_update(RG, NAME, local_template(), validate=False)
    assert info.value.error is not None
    assert (info.value.error.code, info.value.error.message) == ("InvalidParameter", "bad distribute")


def test_conflict_is_resource_exists() -> None:
    conflict = {"error": {"code": "Conflict", "message": "Update of a template is not supported"}}
    client, _, _ = make([("PUT", TEMPLATE_PATH, Reply(409, conflict))])
    with pytest.raises(ResourceExistsError, match="not supported"):
        client.begin_create_or_update(RG, NAME, local_template(), validate=False)


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (
            400,
            "NoRegisteredProviderFound",
            "No registered resource provider found for location 'westus2' and API version "
            "'2019-05-01-preview' for type 'imageTemplates'. "
            "The supported api-versions are '2020-02-14, 2022-02-14, 2024-02-01'.",
        ),
        (
            404,
            "InvalidResourceType",
            "The resource type 'imageTemplates' could not be found for api version '2019-05-01-preview'.",
        ),
        (400, "InvalidApiVersionParameter", "The api-version '2019-05-01-preview' is invalid."),
    ],
)
def test_an_unsupported_api_version_says_what_to_pass(status: int, code: str, message: str) -> None:
    client, _, _ = make(
        [("GET", TEMPLATE_PATH, Reply(status, {"error": {"code": code, "message": message}}))]
    )
    with pytest.raises(ApiVersionNotSupportedError) as info:
        client.get(RG, NAME)
    err = info.value
    assert err.api_version == API
    assert err.suggested_api_version == CURRENT_STABLE_API_VERSION
    assert f"api_version={CURRENT_STABLE_API_VERSION!r}" in str(err)
    assert "retired" in str(err)
    assert not isinstance(err, ResourceNotFoundError)


def test_a_provider_that_is_not_registered_is_not_an_api_version_problem() -> None:
    body = {"error": {"code": "InvalidResourceType", "message": "The resource type could not be found."}}
    client, _, _ = make([("GET", TEMPLATE_PATH, Reply(404, body))])
    with pytest.raises(ResourceNotFoundError) as info:
        client.get(RG, NAME)
    assert not isinstance(info.value, ApiVersionNotSupportedError)


def test_delete_guard_does_not_mistake_an_api_version_404_for_a_missing_template() -> None:
    body = {
        "error": {
            "code": "NoRegisteredProviderFound",
            "message": "No registered resource provider found for API version '2019-05-01-preview'",
        }
    }
    client, transport, _ = make([("GET", TEMPLATE_PATH, Reply(404, body))])
    with pytest.raises(ApiVersionNotSupportedError):
        client.begin_delete(RG, NAME)
    assert [r.method for r in transport.requests] == ["GET"]


# -- retries ----------------------------------------------------------------------------------------


def test_429_with_retry_after_is_retried_after_that_delay() -> None:
    throttled = Reply(
        429, {"error": {"code": "TooManyRequests", "message": "slow down"}}, {"Retry-After": "17"}
    )
    client, transport, script = make(
        [
            ("GET", TEMPLATE_PATH, throttled),
            ("GET", TEMPLATE_PATH, Reply(200, template_body())),
        ]
    )
    assert client.get(RG, NAME).name == NAME
    assert script.done
    assert transport.sleeps == [17]


def test_a_run_post_throttled_with_retry_after_is_retried() -> None:
    throttled = Reply(429, None, {"Retry-After": "2"})
    client, transport, _ = make(
        [
            ("POST", TEMPLATE_PATH + "/run", throttled),
            ("POST", TEMPLATE_PATH + "/run", accepted()),
            ("GET", OP_PATH, op("Succeeded")),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
        ]
    )
    assert client.begin_run(RG, NAME).result().run_state == "Succeeded"
    assert transport.sleeps[0] == 2


def test_5xx_and_dropped_connections_are_retried_also_while_polling() -> None:
    client, _, script = make(
        [
            ("POST", TEMPLATE_PATH + "/run", accepted()),
            ("GET", OP_PATH, dropped()),
            (
                "GET",
                OP_PATH,
                Reply(500, {"error": {"code": "InternalServerError", "message": "Internal error"}}),
            ),
            ("GET", OP_PATH, Reply(504, None)),
            ("GET", OP_PATH, op("Succeeded")),
            ("GET", TEMPLATE_PATH, Reply(503, None)),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
        ]
    )
    assert client.begin_run(RG, NAME).result().run_state == "Succeeded"
    assert script.done


def test_retries_give_up_with_the_last_error() -> None:
    client, _, _ = make([("GET", TEMPLATE_PATH, Reply(503, None))] * 4, retry_total=3)
    with pytest.raises(HttpResponseError) as info:
        client.get(RG, NAME)
    assert info.value.status_code == 503


def test_nothing_secret_is_logged_even_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    sas_script = "https://acct.blob.core.windows.net/scripts/a.sh?sv=2020&sig=SECRETSIG"
    body = local_template()
    body["properties"]["customize"] = [{"type": "Shell", "name": "s", "scriptUri": sas_script}]
    client, _, _ = make(
        [
            ("PUT", TEMPLATE_PATH, Reply(201, template_body("Creating"), {"Azure-AsyncOperation": OP_URL})),
            ("GET", OP_PATH, op("Succeeded")),
            ("GET", TEMPLATE_PATH, Reply(404, {"error": {"code": "ResourceNotFound", "message": "gone"}})),
        ],
        logging_enable=True,
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ResourceNotFoundError):
        client.begin_create_or_update(RG, NAME, body, validate=False).result()
    assert caplog.records  # something was logged
    assert "fake-secret-token" not in caplog.text
    assert "SECRETSIG" not in caplog.text


def test_a_poll_answered_404_is_not_found_not_a_failed_build() -> None:
    client, _, _ = make(
        [
            ("POST", TEMPLATE_PATH + "/run", accepted()),
            ("GET", OP_PATH, Reply(404, {"error": {"code": "OperationNotFound", "message": "no such op"}})),
        ]
    )
    with pytest.raises(ResourceNotFoundError) as info:
        client.begin_run(RG, NAME).result()
    assert not isinstance(info.value, BuildFailedError)
    assert info.value.error is not None
    assert info.value.error.code == "OperationNotFound"
    assert isinstance(info.value.__cause__, HttpResponseError)
