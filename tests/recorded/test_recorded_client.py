"""Every public operation of the sync ImageBuilderClient, replayed from cassettes/test_recorded_client/.

Each test records (or replays) one cassette; see tests/recorded/conftest.py for the switch.
"""

from __future__ import annotations

import time
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

RG_PROBE = "probe"  # a template name that is never created


def _create(session: Any, client: Any, name: str, template: Any = None) -> ImageTemplate:
    poller = client.begin_create_or_update(session.resource_group, name, template or session.template())
    result: ImageTemplate = poller.result()
    return result


def test_begin_create_or_update(session: Any) -> None:
    with session.client() as client:
        template = _create(session, client, "create")
    assert template.provisioning_state == "Succeeded"
    assert template.name == "create"
    assert template.id.endswith("/providers/Microsoft.VirtualMachineImages/imageTemplates/create")
    assert template.customize[0].name == "hello"


def test_get(session: Any) -> None:
    with session.client() as client:
        _create(session, client, "get")
        template = client.get(session.resource_group, "get")
    assert template.provisioning_state == "Succeeded"
    assert template.last_run_status is None
    assert template.location == session.location
    assert template.distribute[0].run_output_name == "vhd"


@pytest.mark.recording(page_size=1)  # one template per page: the lists follow nextLink
def test_list_by_subscription_and_resource_group(session: Any, vcr: Any) -> None:
    with session.client() as client:
        _create(session, client, "list-a")
        _create(session, client, "list-b")
        by_subscription = sorted(t.name for t in client.list())
        by_group = sorted(t.name for t in client.list(session.resource_group))
    assert {"list-a", "list-b"} <= set(by_subscription)
    assert by_group == ["list-a", "list-b"]
    if session.recorded_against == "emulator":  # Azure pages as it likes
        next_pages = [r for r in vcr.requests if "$skiptoken=" in r.uri.lower()]
        assert len(next_pages) >= 2, "expected the subscription and group lists to follow nextLink"


def test_begin_update_tags(session: Any) -> None:
    with session.client() as client:
        _create(session, client, "tags")
        updated = client.begin_update(session.resource_group, "tags", tags={"team": "images"}).result()
        again = client.get(session.resource_group, "tags")
    assert updated.tags == {"team": "images"}
    assert again.tags == {"team": "images"}


def test_begin_delete(session: Any) -> None:
    with session.client() as client:
        _create(session, client, "delete")
        assert client.begin_delete(session.resource_group, "delete").result() is None
        with pytest.raises(ResourceNotFoundError):
            client.get(session.resource_group, "delete")


def test_begin_delete_keeps_an_uncopied_vhd_unless_forced(session: Any) -> None:
    with session.client() as client:
        _create(session, client, "guarded")
        client.begin_run(session.resource_group, "guarded").result()
        with pytest.raises(VhdNotCopiedError) as caught:
            client.begin_delete(session.resource_group, "guarded")
        client.begin_delete(session.resource_group, "guarded", force=True).result()
        with pytest.raises(ResourceNotFoundError):
            client.get(session.resource_group, "guarded")
    assert caught.value.run_output_names == ["vhd"]


def test_begin_run_and_run_outputs(session: Any) -> None:
    with session.client() as client:
        _create(session, client, "run")
        status = client.begin_run(session.resource_group, "run").result()
        outputs = list(client.list_run_outputs(session.resource_group, "run"))
        vhd = client.get_run_output(session.resource_group, "run", "vhd")
        template = client.get(session.resource_group, "run")
    assert status.run_state == "Succeeded"
    assert status.end_time is not None
    assert status.end_time >= status.start_time
    assert [o.name for o in outputs] == ["vhd"]
    assert isinstance(vhd, RunOutput)
    assert vhd.provisioning_state == "Succeeded"
    assert vhd.artifact_uri is not None
    assert ".blob.core.windows.net/" in vhd.artifact_uri  # the fake account's host on replay
    assert template.last_run_status is not None
    assert template.last_run_status.run_state == "Succeeded"


def test_begin_run_resumes_from_continuation_token(session: Any) -> None:
    with session.client() as client:
        _create(session, client, "resume")
        poller = client.begin_run(session.resource_group, "resume")
        token = poller.continuation_token()
        # A sync poller polls on a background thread from the start; let it end here, or its polls and
        # the resumed poller's race for the recorded answers and the replay order changes run to run.
        poller.wait()
    # a new client (as in a new process) picks the wait up again
    with session.client() as client:
        status = client.begin_run(session.resource_group, "resume", continuation_token=token).result()
    assert status.run_state == "Succeeded"


def test_build(session: Any) -> None:
    events: list[Any] = []
    with session.client() as client:
        result = client.build(session.resource_group, "build", session.template(), progress=events.append)
    assert isinstance(result, BuildResult)
    assert result.succeeded
    assert set(result.vhd_uris) == {"vhd"}
    assert result.template.last_run_status is not None
    assert events, "build() reported no progress"


# -- failure paths ----------------------------------------------------------------------------------------


@pytest.mark.recording(scenario="fail:Customizing")
def test_failed_build_raises_packer_build_failed(session: Any) -> None:
    with session.client() as client:
        _create(session, client, "fails", session.template(inline=("echo hello", "exit 1")))
        with pytest.raises(BuildFailedError) as caught:
            client.begin_run(session.resource_group, "fails").result()
    error = caught.value
    assert isinstance(error, HttpResponseError)
    assert error.code == "PackerBuildFailed"
    assert "customization.log" in error.service_message
    assert error.last_run_status is not None
    assert error.last_run_status.run_state == "Failed"


@pytest.mark.recording(scenario="partial", live=False)
def test_partially_succeeded_build_is_returned(session: Any) -> None:
    with session.client() as client:
        result = client.build(session.resource_group, "partial", session.template())
    assert not result.succeeded
    assert result.partially_succeeded
    assert result.run_status.run_state == "PartiallySucceeded"


def test_get_missing_template_is_404(session: Any) -> None:
    with session.client() as client, pytest.raises(ResourceNotFoundError) as caught:
        client.get(session.resource_group, RG_PROBE)
    assert caught.value.status_code == 404


def test_build_refuses_to_overwrite_a_different_template(session: Any) -> None:
    with session.client() as client:
        _create(session, client, "taken")
        with pytest.raises(TemplateExistsError) as caught:
            client.build(session.resource_group, "taken", session.template(inline=("echo changed",)))
    assert caught.value.template_name == "taken"
    assert any("customize" in difference for difference in caught.value.differences)
    assert "replace=True" in str(caught.value)


@pytest.mark.recording(
    live=False,
    faults=[{"route": "imageTemplates.get", "status": 429, "times": 2, "retry_after": 1}],
)
def test_throttled_then_succeeds(session: Any, vcr: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every wait of the sync pipeline (Retry-After, polling) ends in time.sleep: in replay, none may be long.
    waits: list[float] = []
    if not session.recording:
        monkeypatch.setattr(time, "sleep", waits.append)
    with session.client() as client:
        _create(session, client, "throttled")
        template = client.get(session.resource_group, "throttled")
    assert template.name == "throttled"
    assert [w for w in waits if w > 0] == [], "replay must ignore Retry-After (2 x 1 s)"
    throttled = [r for r in vcr.responses if r["status"]["code"] == 429]
    assert len(throttled) == 2  # both 429s were answered (and waited for only while recording)
    assert all({k.lower() for k in r["headers"]} >= {"retry-after"} for r in throttled)


@pytest.mark.recording(
    api_versions=["2022-07-01", "2024-02-01"], api_version="2019-05-01-preview", live=False
)
def test_unsupported_api_version_says_what_to_pass(session: Any) -> None:
    with session.client() as client, pytest.raises(ApiVersionNotSupportedError) as caught:
        client.get(session.resource_group, RG_PROBE)
    assert caught.value.api_version == "2019-05-01-preview"
    assert "api_version" in str(caught.value)
    assert caught.value.suggested_api_version in {"2022-07-01", "2024-02-01"}


# -- cancel, triggers, update: api-version 2025-10-01 -------------------------------------------------------

LATEST = "2025-10-01"


def _identity(session: Any) -> dict[str, Any]:
    resource_id = (
        f"/subscriptions/{session.subscription_id}/resourceGroups/{session.resource_group}"
        "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/azimagebuilder-identity"
    )
    return session.identity or {"type": "UserAssigned", "userAssignedIdentities": {resource_id: {}}}


def _gallery_source(session: Any) -> Any:
    import azimagebuilder as aib

    return aib.SharedImageVersionSource(
        image_version_id=(
            f"/subscriptions/{session.subscription_id}/resourceGroups/{session.resource_group}"
            "/providers/Microsoft.Compute/galleries/gallery/images/ubuntu/versions/latest"
        )
    )


@pytest.mark.recording(
    api_version=LATEST, build_duration=30, create_duration=0.4, delete_duration=0.4, live=False
)
def test_begin_cancel_from_a_build_progress_callback(session: Any) -> None:
    # The callback runs on the run poller's thread, so the cancel and its polls come in one order.
    canceled: list[Any] = []
    with session.client() as client:

        def on_progress(event: Any) -> None:
            if event.run_state == "Running" and not canceled:
                canceled.append(client.begin_cancel(session.resource_group, "cancel").result())

        template = session.template(identity=_identity(session))
        with pytest.raises(BuildCanceledError) as caught:
            client.build(session.resource_group, "cancel", template, progress=on_progress)
        outputs = list(client.list_run_outputs(session.resource_group, "cancel"))
        last = client.get(session.resource_group, "cancel").last_run_status
    assert not isinstance(caught.value, BuildFailedError)
    assert [s.run_state for s in canceled] == ["Canceled"]
    assert last is not None
    assert last.run_state == "Canceled"
    assert outputs == []


@pytest.mark.recording(api_version=LATEST, live=False)
def test_trigger_operations(session: Any) -> None:
    template = session.template(identity=_identity(session), source=_gallery_source(session))
    with session.client() as client:
        _create(session, client, "triggered", template)
        created = client.begin_create_or_update_trigger(
            session.resource_group, "triggered", "source"
        ).result()
        got = client.get_trigger(session.resource_group, "triggered", "source")
        listed = list(client.list_triggers(session.resource_group, "triggered"))
        client.begin_delete_trigger(session.resource_group, "triggered", "source").result()
        with pytest.raises(ResourceNotFoundError):
            client.get_trigger(session.resource_group, "triggered", "source")
    assert isinstance(created, Trigger)
    assert created.kind == got.kind == "SourceImage"
    assert got.status is not None
    assert got.status.code == "Healthy"
    assert [t.name for t in listed] == ["source"]


@pytest.mark.recording(api_version=LATEST, live=False)
def test_begin_update_every_patchable_field(session: Any) -> None:
    import azimagebuilder as aib

    with session.client() as client:
        _create(session, client, "patched", session.template(identity=_identity(session)))
        updated = client.begin_update(
            session.resource_group,
            "patched",
            tags={"team": "images"},
            identity=_identity(session),
            distribute=[aib.VhdDistributor(run_output_name="vhd2")],
            vm_profile=aib.VmProfile(vm_size="Standard_D4s_v3", os_disk_size_gb=64),
        ).result()
        again = client.get(session.resource_group, "patched")
    assert updated.tags == again.tags == {"team": "images"}
    assert [d.run_output_name for d in again.distribute] == ["vhd2"]
    assert again.vm_profile is not None
    assert again.vm_profile.vm_size == "Standard_D4s_v3"
