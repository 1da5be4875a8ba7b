"""Each operation of the emulator against what the real service showed on the wire.

Recordings are in ../shared/reference/azure-cli-recordings/ (called "the managed-image recording" etc. below):
- managed-image: 2019-05-01-preview__test_image_build_managed_image.yaml
- customizers:   2019-05-01-preview__test_image_builder_customizers.yaml
- template-file: 2019-05-01-preview__test_image_builder_template_file.yaml
- outputs:       2019-05-01-preview__test_image_template_outputs.yaml
- cancel:        2020-02-14__test_image_builder_cancel.yaml
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from emulator_support import PREVIEW, STABLE, SUB, Arm, template_body

from azimagebuilder.emulator import ManualClock

GUID_UPPER = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
TICKS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")
NANOS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
OPERATION_URL = re.compile(
    r"^https://127\.0\.0\.1:\d+/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.VirtualMachineImages"
    r"/locations/(?P<region>[^/]+)/operations/(?P<guid>[0-9a-f-]{36})\?api-version=(?P<version>.+)$"
)


def test_put_answers_201_with_only_the_async_operation_header(arm: Arm) -> None:
    """managed-image recording, first PUT: 201 Created, `azure-asyncoperation` and no `location` or
    `retry-after`; the operation URL is .../providers/Microsoft.VirtualMachineImages/locations/westus/
    operations/{guid}?api-version=2019-05-01-preview."""
    answer = arm.create("template01")
    assert answer.status_code == 201
    assert answer.headers["Content-Type"] == "application/json"
    assert "Location" not in answer.headers
    assert "Retry-After" not in answer.headers
    assert "x-ms-ratelimit-remaining-subscription-writes" in answer.headers
    m = OPERATION_URL.match(answer.headers["Azure-AsyncOperation"])
    assert m is not None, answer.headers["Azure-AsyncOperation"]
    assert (m["sub"], m["region"], m["version"]) == (SUB, "westus", PREVIEW)


def test_operation_region_is_the_location_lower_case_without_spaces(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, Create: the region in the operation URL is the template's location, lower case,
    no spaces (outputs recording: a westus2 template polls .../locations/westus2/operations/...)."""
    answer = arm.create("spaced", template_body(location="West US 2"))
    m = OPERATION_URL.match(answer.headers["Azure-AsyncOperation"])
    assert m is not None
    assert m["region"] == "westus2"


def test_put_echoes_the_template_as_creating_with_defaults_filled_in(arm: Arm) -> None:
    """managed-image recording, PUT answer body: provisioningState Creating, buildTimeoutInMinutes 0 added,
    artifactTags {} added to the distributor, no sha256Checksum yet; id with lower-case `resourcegroups`,
    type `Microsoft.VirtualMachineImages/imageTemplates`; keys in the order properties, id, name, type,
    location, tags."""
    body = arm.create("template01").json()
    assert list(body) == ["properties", "id", "name", "type", "location", "tags"]
    props = body["properties"]
    assert list(props) == ["source", "customize", "distribute", "provisioningState", "buildTimeoutInMinutes"]
    assert props["provisioningState"] == "Creating"
    assert props["buildTimeoutInMinutes"] == 0
    assert props["distribute"][0]["artifactTags"] == {}
    assert list(props["distribute"][0]) == sorted(props["distribute"][0])
    assert "sha256Checksum" not in props["customize"][0]
    assert body["id"] == (
        f"/subscriptions/{SUB}/resourcegroups/imagesRG/providers/Microsoft.VirtualMachineImages/imageTemplates/template01"
    )
    assert (body["name"], body["type"], body["location"], body["tags"]) == (
        "template01",
        "Microsoft.VirtualMachineImages/imageTemplates",
        "westus",
        {},
    )


def test_put_keeps_given_values_and_fills_customizer_defaults(arm: Arm) -> None:
    """customizers recording: PowerShell customizers come back with `runElevated: false`, WindowsRestart with
    `restartCommand: ""`, validExitCodes kept; template-file recording: a given buildTimeoutInMinutes (80) and
    artifactTags are kept."""
    customize = [
        {
            "name": "ps",
            "type": "PowerShell",
            "scriptUri": "https://example.com/a.ps1",
            "validExitCodes": [0, 1],
        },
        {"name": "restart", "type": "WindowsRestart", "restartTimeout": "5m"},
    ]
    dist = [{"runOutputName": "vhd_1", "type": "VHD", "artifactTags": {"is_vhd": "True"}}]
    windows = {
        "type": "PlatformImage",
        "publisher": "MicrosoftWindowsServer",
        "offer": "WindowsServer",
        "sku": "2019-Datacenter",
        "version": "2019.0.20190214",
    }
    body = template_body(customize=customize, distribute=dist, source=windows, buildTimeoutInMinutes=80)
    props = arm.create("win", body).json()["properties"]
    assert props["customize"][0] == {
        "name": "ps",
        "runElevated": False,
        "scriptUri": "https://example.com/a.ps1",
        "type": "PowerShell",
        "validExitCodes": [0, 1],
    }
    assert props["customize"][1] == {
        "name": "restart",
        "restartCommand": "",
        "restartTimeout": "5m",
        "type": "WindowsRestart",
    }
    assert props["distribute"] == [
        {"artifactTags": {"is_vhd": "True"}, "runOutputName": "vhd_1", "type": "VHD"}
    ]
    assert props["buildTimeoutInMinutes"] == 80


def test_create_operation_goes_in_progress_then_succeeded(slow_arm: Arm, clock: ManualClock) -> None:
    """managed-image recording, create polls: 200 with {"name": "<GUID UPPER>", "status": "InProgress",
    "startTime": <7 fractional digits>} then {"status": "Succeeded", "startTime", "endTime"}."""
    url = slow_arm.create().headers["Azure-AsyncOperation"]
    guid = OPERATION_URL.match(url)["guid"]  # type: ignore[index]
    first = slow_arm.url(url)
    assert first.status_code == 200
    assert first.json() == {
        "name": guid.upper(),
        "status": "InProgress",
        "startTime": first.json()["startTime"],
    }
    assert TICKS.match(first.json()["startTime"])
    clock.advance(25)
    done = slow_arm.url(url).json()
    assert list(done) == ["name", "status", "startTime", "endTime"]
    assert done["status"] == "Succeeded"
    assert GUID_UPPER.match(done["name"])
    assert TICKS.match(done["endTime"])
    assert done["endTime"] > done["startTime"]


def test_get_after_creation_shows_succeeded_and_computed_checksums(slow_arm: Arm, clock: ManualClock) -> None:
    """managed-image and template-file recordings: GET during creation... then after the operation succeeded
    GET shows provisioningState Succeeded and a sha256Checksum the service computed on each Shell/PowerShell
    script and File customizer (not on inline ones); a checksum the user gave is kept."""
    given = "ade4c5214c3c675e92c66e2d067a870c5b81b9844b3de3cc72c49ff36425fc93"
    customize = [
        {"name": "script", "type": "Shell", "scriptUri": "https://example.com/a.sh"},
        {
            "name": "checked",
            "type": "Shell",
            "scriptUri": "https://example.com/b.sh",
            "sha256Checksum": given,
        },
        {
            "name": "file",
            "type": "File",
            "sourceUri": "https://example.com/index.html",
            "destination": "/tmp/i",
        },
        {"name": "inline", "type": "Shell", "inline": ["echo hi"]},
    ]
    slow_arm.create("sums", template_body(customize=customize))
    during = slow_arm.call("GET", slow_arm.path("sums")).json()["properties"]
    assert during["provisioningState"] == "Creating"
    clock.advance(21)
    answer = slow_arm.call("GET", slow_arm.path("sums"))
    assert answer.status_code == 200
    props = answer.json()["properties"]
    assert props["provisioningState"] == "Succeeded"
    sums = [c.get("sha256Checksum") for c in props["customize"]]
    assert re.fullmatch(r"[0-9a-f]{64}", sums[0] or "")
    assert sums[1] == given
    assert re.fullmatch(r"[0-9a-f]{64}", sums[2] or "")
    assert sums[3] is None
    assert list(props["customize"][0]) == ["name", "scriptUri", "sha256Checksum", "type"]


def test_checksum_comes_from_the_script_fetcher_when_given(make_arm: Any) -> None:
    """SERVICE-BEHAVIOUR.md, Create: the sha256Checksum is computed by the service from the script itself."""
    import hashlib

    arm = make_arm(script_fetcher=lambda uri: b"#!/bin/sh\necho from " + uri.encode())
    arm.create("fetched")
    props = arm.call("GET", arm.path("fetched")).json()["properties"]
    expected = hashlib.sha256(b"#!/bin/sh\necho from https://example.com/scripts/setup.sh").hexdigest()
    assert props["customize"][0]["sha256Checksum"] == expected


def test_run_answers_202_empty_with_both_headers(arm: Arm) -> None:
    """managed-image recording, POST run: 202 Accepted, empty body, content-length 0, `azure-asyncoperation`
    and `location` carrying the same operation URL."""
    arm.create()
    answer = arm.call("POST", arm.path() + "/run")
    assert answer.status_code == 202
    assert answer.content == b""
    assert answer.headers["Content-Length"] == "0"
    assert answer.headers["Azure-AsyncOperation"] == answer.headers["Location"]
    assert OPERATION_URL.match(answer.headers["Location"])


def test_run_walks_the_phases_with_the_real_timestamp_formats(slow_arm: Arm, clock: ManualClock) -> None:
    """cancel recording, GET during a run: lastRunStatus {"startTime": <9 fractional digits>,
    "endTime": "0001-01-01T00:00:00Z", "runState": "Running", "runSubState": "Queued", "message": ""};
    SERVICE-BEHAVIOUR.md: runSubState moves Queued -> Building -> Customizing -> Distributing and the run
    ends Succeeded; the run operation answers InProgress until then (managed-image recording: 25
    InProgress polls, then Succeeded)."""
    slow_arm.create()
    clock.advance(20)
    run_url = slow_arm.call("POST", slow_arm.path() + "/run").headers["Location"]
    seen = []
    for step in (0, 10, 30, 40, 19):
        clock.advance(step)
        status = slow_arm.call("GET", slow_arm.path()).json()["properties"]["lastRunStatus"]
        seen.append(status["runSubState"])
        assert status["runState"] == "Running"
        assert status["endTime"] == "0001-01-01T00:00:00Z"
        assert status["message"] == ""
        assert NANOS.match(status["startTime"])
        assert list(status) == ["startTime", "endTime", "runState", "runSubState", "message"]
        assert slow_arm.url(run_url).json()["status"] == "InProgress"
    assert seen == ["Queued", "Building", "Customizing", "Distributing", "Distributing"]
    clock.advance(1)
    final = slow_arm.call("GET", slow_arm.path()).json()["properties"]["lastRunStatus"]
    assert final["runState"] == "Succeeded"
    assert NANOS.match(final["endTime"])
    assert final["endTime"] > final["startTime"]
    operation = slow_arm.url(run_url).json()
    assert operation["status"] == "Succeeded"
    assert "error" not in operation


def test_run_outputs_per_distributor(arm: Arm) -> None:
    """managed-image recording, GET runOutputs/img_1: 200 {"properties": {"artifactId": <managed image id>,
    "provisioningState": "Succeeded"}, "id": ".../resourcegroups/.../runOutputs/img_1", "name", "type":
    "Microsoft.VirtualMachineImages/imageTemplates/runOutputs"}; SERVICE-BEHAVIOUR.md: a gallery output's
    artifactId ends /versions/<service-chosen version such as 0.24188.44119>; a VHD output has an artifactUri
    blob URL (bare since 2021)."""
    gallery = f"/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/ubuntu"
    image = f"/subscriptions/{SUB}/resourceGroups/imagesRG/providers/Microsoft.Compute/images/img_1"
    dist = [
        {"runOutputName": "img_1", "type": "ManagedImage", "imageId": image, "location": "westus"},
        {
            "runOutputName": "sig_1",
            "type": "SharedImage",
            "galleryImageId": gallery,
            "replicationRegions": ["westus"],
        },
        {"runOutputName": "vhd_1", "type": "VHD"},
    ]
    arm.create("outs", template_body(distribute=dist))
    arm.wait(arm.call("POST", arm.path("outs") + "/run").headers["Location"])
    managed = arm.call("GET", arm.path("outs") + "/runOutputs/img_1")
    assert managed.status_code == 200
    assert managed.json() == {
        "properties": {"artifactId": image, "provisioningState": "Succeeded"},
        "id": f"/subscriptions/{SUB}/resourcegroups/imagesRG/providers/Microsoft.VirtualMachineImages"
        "/imageTemplates/outs/runOutputs/img_1",
        "name": "img_1",
        "type": "Microsoft.VirtualMachineImages/imageTemplates/runOutputs",
    }
    sig = arm.call("GET", arm.path("outs") + "/runOutputs/sig_1").json()["properties"]["artifactId"]
    assert re.fullmatch(re.escape(gallery) + r"/versions/0\.\d{5}\.\d{5}", sig)
    vhd = arm.call("GET", arm.path("outs") + "/runOutputs/vhd_1").json()["properties"]
    # A blob URL the emulator serves itself: path-style (as Azurite's) on its own address.
    assert re.fullmatch(
        re.escape(arm.emulator.base_url) + r"/[a-z0-9]{3,24}/vhds/[^?]+\.vhd", vhd["artifactUri"]
    )
    assert "artifactId" not in vhd
    listed = arm.call("GET", arm.path("outs") + "/runOutputs").json()
    assert [o["name"] for o in listed["value"]] == ["img_1", "sig_1", "vhd_1"]
    assert "nextLink" not in listed


def test_vhd_artifact_and_log_land_in_the_artifact_store(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, Run: build logs live in the staging resource group IT_<rg>_<name>_<guid>,
    container packerlogs, blob <run-id>/customization.log; the VHD output's artifactUri points at the VHD."""
    arm.create("logs", template_body(distribute=[{"runOutputName": "vhd_1", "type": "VHD"}]))
    arm.wait(arm.call("POST", arm.path("logs") + "/run").headers["Location"])
    uri = arm.call("GET", arm.path("logs") + "/runOutputs/vhd_1").json()["properties"]["artifactUri"]
    store = arm.emulator.artifacts
    assert store.read(uri).endswith(b"conectix".ljust(512, b"\0"))  # type: ignore[attr-defined]
    logs = [u for u in store.urls() if u.endswith("/customization.log")]  # type: ignore[attr-defined]
    assert len(logs) == 1
    assert "/packerlogs/" in logs[0]
    text = store.read(logs[0]).decode()  # type: ignore[attr-defined]
    assert "setup.sh" in text
    assert "no VM was created" in text


def test_list_by_subscription_and_resource_group_with_next_link(make_arm: Any) -> None:
    """SUMMARY.md, operations table: both lists answer 200 {"value": [...], "nextLink"} and page with
    nextLink (the spec's ImageTemplateListResult); no nextLink on the last page."""
    arm = make_arm(page_size=2)
    for name, group in [("a", "rg1"), ("b", "rg1"), ("c", "rg2"), ("d", "rg1")]:
        arm.call("PUT", arm.path(name, group), template_body())
    url = (
        arm.emulator.base_url
        + f"/subscriptions/{SUB}/providers/Microsoft.VirtualMachineImages/imageTemplates"
    )
    names: list[str] = []
    pages = 0
    next_url: str | None = url + f"?api-version={PREVIEW}"
    while next_url:
        page = arm.url(next_url)
        assert page.status_code == 200
        names += [t["name"] for t in page.json()["value"]]
        next_url = page.json().get("nextLink")
        pages += 1
    assert sorted(names) == ["a", "b", "c", "d"]
    assert pages == 2
    by_group = arm.call(
        "GET",
        f"/subscriptions/{SUB}/resourceGroups/RG1/providers/Microsoft.VirtualMachineImages/imageTemplates",
    ).json()
    assert [t["name"] for t in by_group["value"]] == ["a", "b"]
    assert "nextLink" in by_group
    other = arm.call(
        "GET",
        "/subscriptions/11111111-0000-0000-0000-000000000000/providers/Microsoft.VirtualMachineImages"
        "/imageTemplates",
    )
    assert other.json() == {"value": []}


def test_patch_changes_tags_and_answers_the_template(arm: Arm) -> None:
    """UpdateImageTemplateTags example (2019-05-01-preview): PATCH {"tags"} answers 200 with the template and
    its new tags; SERVICE-BEHAVIOUR.md: only tags (and identity) can change."""
    arm.create()
    answer = arm.call("PATCH", arm.path(), {"tags": {"new-tag": "new-value"}})
    assert answer.status_code == 200
    assert answer.json()["tags"] == {"new-tag": "new-value"}
    assert arm.call("GET", arm.path()).json()["tags"] == {"new-tag": "new-value"}
    refused = arm.call("PATCH", arm.path(), {"properties": {"buildTimeoutInMinutes": 5}})
    assert refused.status_code == 400


def test_delete_answers_202_with_both_headers_then_404(slow_arm: Arm, clock: ManualClock) -> None:
    """SERVICE-BEHAVIOUR.md, Delete: 202 with Azure-AsyncOperation and Location plus
    x-ms-ratelimit-remaining-subscription-deletes; a few polls; a later GET answers 404."""
    slow_arm.create()
    clock.advance(20)
    answer = slow_arm.call("DELETE", slow_arm.path())
    assert answer.status_code == 202
    assert answer.content == b""
    assert answer.headers["Azure-AsyncOperation"] == answer.headers["Location"]
    assert int(answer.headers["x-ms-ratelimit-remaining-subscription-deletes"]) > 0
    assert slow_arm.url(answer.headers["Location"]).json()["status"] == "InProgress"
    assert slow_arm.call("GET", slow_arm.path()).json()["properties"]["provisioningState"] == "Deleting"
    clock.advance(20)
    assert slow_arm.url(answer.headers["Location"]).json()["status"] == "Succeeded"
    gone = slow_arm.call("GET", slow_arm.path())
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "ResourceNotFound"
    assert slow_arm.call("DELETE", slow_arm.path()).status_code == 204


def test_stable_api_version_fills_vm_profile_and_identity(arm: Arm) -> None:
    """cancel recording (2020-02-14): vmProfile {} comes back {"vmSize": "", "osDiskSizeGB": 0}; identity's
    userAssignedIdentities values are {} in the PUT answer and gain principalId/clientId once created."""
    identity_id = f"/subscriptions/{SUB}/resourceGroups/imagesRG/providers/Microsoft.ManagedIdentity"
    identity_id += "/userAssignedIdentities/ide1"
    body = template_body(vmProfile={})
    body["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {identity_id: {}}}
    put = arm.create("stable", body, api_version=STABLE).json()
    assert put["properties"]["vmProfile"] == {"vmSize": "", "osDiskSizeGB": 0}
    assert put["identity"]["userAssignedIdentities"] == {identity_id: {}}
    assert list(put) == ["properties", "identity", "id", "name", "type", "location", "tags"]
    got = arm.call("GET", arm.path("stable"), api_version=STABLE).json()
    value = got["identity"]["userAssignedIdentities"][identity_id]
    assert set(value) == {"principalId", "clientId"}


def test_cancel_from_2020_02_14(slow_arm: Arm, clock: ManualClock) -> None:
    """cancel recording: POST cancel answers 204 with no body; GET then shows runState Canceling, no
    runSubState, message "Canceling image build", endTime still the zero date."""
    identity_id = (
        f"/subscriptions/{SUB}/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i"
    )
    body = template_body()
    body["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {identity_id: {}}}
    slow_arm.create("c", body, api_version=STABLE)
    clock.advance(20)
    run_url = slow_arm.call("POST", slow_arm.path("c") + "/run", api_version=STABLE).headers["Location"]
    clock.advance(5)
    cancel = slow_arm.call("POST", slow_arm.path("c") + "/cancel", api_version=STABLE)
    assert cancel.status_code == 204
    assert cancel.content == b""
    status = slow_arm.call("GET", slow_arm.path("c"), api_version=STABLE).json()["properties"][
        "lastRunStatus"
    ]
    assert status == {
        "startTime": status["startTime"],
        "endTime": "0001-01-01T00:00:00Z",
        "runState": "Canceling",
        "message": "Canceling image build",
    }
    clock.advance(30)
    assert slow_arm.url(run_url).json()["status"] == "Canceled"
    final = slow_arm.call("GET", slow_arm.path("c"), api_version=STABLE).json()["properties"]["lastRunStatus"]
    assert final["runState"] == "Canceled"
    preview = slow_arm.call("POST", slow_arm.path("c") + "/cancel")
    assert preview.status_code == 400  # no cancel in 2019-05-01-preview


def test_customization_log_grows_while_the_build_runs(slow_arm: Arm, clock: ManualClock) -> None:
    """SERVICE-BEHAVIOUR.md, Run: the build log is <run-id>/customization.log in the staging group's
    packerlogs
    container; it is written while the build runs (a client can follow it), each version extending the
    last."""
    slow_arm.create()
    clock.advance(20)
    slow_arm.call("POST", slow_arm.path() + "/run")
    store = slow_arm.emulator.artifacts
    texts = []
    for step in (0, 15, 30, 40, 20):
        clock.advance(step)
        slow_arm.call("GET", slow_arm.path())  # any look at the template moves the simulation on
        (url,) = [u for u in store.urls() if u.endswith("/customization.log")]  # type: ignore[attr-defined]
        texts.append(store.read(url).decode())  # type: ignore[attr-defined]
    for earlier, later in itertools.pairwise(texts):
        assert later.startswith(earlier)
    assert "Running provisioner" not in texts[1]  # Building
    assert "Running provisioner: shell (setup.sh)" in texts[2]  # Customizing
    assert "Distributing img_1" in texts[3]
    assert texts[4].endswith("finished.\n")


def test_staging_resource_group_is_shown_from_2022_02_14(arm: Arm) -> None:
    """SUMMARY.md, newer api-versions: 2022-02-14 adds exactStagingResourceGroup (read-only); the staging
    group
    is named IT_<rg>_<name>_<guid> (SERVICE-BEHAVIOUR.md, Run)."""
    identity_id = f"/subscriptions/{SUB}/resourceGroups/r/providers/Microsoft.ManagedIdentity"
    identity_id += "/userAssignedIdentities/i"
    body = template_body()
    body["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {identity_id: {}}}
    arm.create("staged", body, api_version="2022-02-14")
    props = arm.call("GET", arm.path("staged"), api_version="2022-02-14").json()["properties"]
    assert re.fullmatch(
        rf"/subscriptions/{SUB}/resourceGroups/IT_imagesRG_staged_[0-9a-f-]{{36}}",
        props["exactStagingResourceGroup"],
    )
    assert "exactStagingResourceGroup" not in arm.call("GET", arm.path("staged")).json()["properties"]


def test_operations_list(arm: Arm) -> None:
    """SUMMARY.md, Operations_List: GET /providers/Microsoft.VirtualMachineImages/operations answers
    {"value": [{"name", "display": {provider, operation, resource, description}, "origin", "properties"}]}."""
    answer = arm.call("GET", "/providers/Microsoft.VirtualMachineImages/operations")
    assert answer.status_code == 200
    first = answer.json()["value"][0]
    assert set(first) == {"name", "display", "origin", "properties"}
    assert set(first["display"]) == {"provider", "operation", "resource", "description"}


def test_system_data_from_2021_10_01(arm: Arm) -> None:
    """SUMMARY.md, newer api-versions: 2021-10-01 makes the template a TrackedResource with systemData."""
    identity_id = f"/subscriptions/{SUB}/resourceGroups/r/providers/Microsoft.ManagedIdentity"
    identity_id += "/userAssignedIdentities/i"
    body = template_body()
    body["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {identity_id: {}}}
    arm.create("sd", body, api_version="2021-10-01")
    got = arm.call("GET", arm.path("sd"), api_version="2021-10-01").json()
    assert TICKS.match(got["systemData"]["createdAt"])
    assert "systemData" not in arm.call("GET", arm.path("sd")).json()


def test_staging_resource_groups_for_the_resources_provider(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, Run: the staging group IT_<templateRG>_<templateName>_<guid> holds a storage
    account with the packerlogs container; the helper hands it to a Microsoft.Resources provider."""
    from azimagebuilder.emulator.providers.imagebuilder import staging_resource_groups

    arm.create("st")
    (group,) = staging_resource_groups(arm.emulator.state, SUB)
    assert re.fullmatch(r"IT_imagesRG_st_[0-9a-f-]{36}", group["name"])
    assert group["tags"] == {
        "createdBy": "AzureVMImageBuilder",
        "imageTemplateName": "st",
        "imageTemplateResourceGroupName": "imagesRG",
    }
    assert re.fullmatch(r"[a-z0-9]{24}", group["storageAccount"])
    assert staging_resource_groups(arm.emulator.state, "99999999-0000-0000-0000-000000000000") == []
