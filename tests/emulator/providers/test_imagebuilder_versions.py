"""The Image Builder provider's behaviours per api-version, over raw HTTP, each at the first api-version that
has it and at 2025-10-01 (docs/emulator.md, "Behaviours by api-version", lists them).

A manual clock steps through the builds: creation takes 1 s, a build 60 s, a cancel 1 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from azimagebuilder.emulator import Emulator, ManualClock

SUB = "11111111-2222-3333-4444-555555555555"

LATEST = "2025-10-01"
NS = "providers/Microsoft.VirtualMachineImages"
IDENTITY = (
    f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
)
GALLERY_IMAGE = (
    f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/ubuntu"
)


class Arm:
    """A tiny ARM caller over plain ``requests`` (no Azure SDK in the way)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.session = requests.Session()
        token = emulator.credential.get_token("https://management.azure.com/.default").token
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: Any = None, *, api_version: str = "2022-04-01") -> Any:
        return self.session.request(
            method,
            self.emulator.base_url + path,
            json=body,
            params={"api-version": api_version},
            verify=self.emulator.ca_cert,
        )

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.call("PUT", path, body, **kwargs)


class Stepper:
    """An emulator on a manual clock, and an Arm caller for it."""

    def __init__(self, **kwargs: Any) -> None:
        self.clock = ManualClock()
        kwargs.setdefault("build_duration", 60)
        kwargs.setdefault("create_duration", 1)
        kwargs.setdefault("delete_duration", 1)
        self.emulator = Emulator(clock=self.clock, subscription_id=SUB, **kwargs).start()
        self.arm = Arm(self.emulator)

    def close(self) -> None:
        self.arm.session.close()
        self.emulator.stop()

    def path(self, name: str) -> str:
        return f"/subscriptions/{SUB}/resourceGroups/rg/{NS}/imageTemplates/{name}"

    def create(self, name: str, body: dict[str, Any], version: str) -> dict[str, Any]:
        answer = self.arm.put(self.path(name), body, api_version=version)
        assert answer.status_code == 201, answer.text
        self.clock.advance(1.5)
        got: dict[str, Any] = self.get(name, version)
        assert got["properties"]["provisioningState"] == "Succeeded"
        return got

    def get(self, name: str, version: str) -> dict[str, Any]:
        answer = self.arm.get(self.path(name), api_version=version)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def run(self, name: str, version: str) -> None:
        answer = self.arm.call("POST", self.path(name) + "/run", api_version=version)
        assert answer.status_code == 202, answer.text

    def follow(self, name: str, version: str, *, step: float = 1.0) -> tuple[list[str], dict[str, Any]]:
        """Step through the running build; the sub-states seen while it ran, and its final status."""
        seen: list[str] = []
        for _ in range(200):
            status = self.get(name, version)["properties"]["lastRunStatus"]
            if status["runState"] not in ("Running", "Canceling"):
                return seen, status
            if not seen or seen[-1] != status.get("runSubState"):
                seen.append(status.get("runSubState", ""))
            self.clock.advance(step)
        raise AssertionError("the build never ended")

    def outputs(self, name: str, version: str) -> dict[str, dict[str, Any]]:
        answer = self.arm.get(self.path(name) + "/runOutputs", api_version=version)
        assert answer.status_code == 200, answer.text
        return {o["name"]: o["properties"] for o in answer.json()["value"]}


@pytest.fixture
def stepper() -> Iterator[Any]:
    made: list[Stepper] = []

    def make(**kwargs: Any) -> Stepper:
        made.append(Stepper(**kwargs))
        return made[-1]

    yield make
    for one in made:
        one.close()


def body(version: str, *, tags: dict[str, str] | None = None, **properties: Any) -> dict[str, Any]:
    """A template body for ``version``: Ubuntu, one Shell step, a VHD (identity from 2020-02-14)."""
    props: dict[str, Any] = {
        "source": {
            "type": "PlatformImage",
            "publisher": "Canonical",
            "offer": "0001-com-ubuntu-server-jammy",
            "sku": "22_04-lts-gen2",
            "version": "latest",
        },
        "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
        "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
    }
    props.update(properties)
    out: dict[str, Any] = {"location": "westus2", "tags": tags or {}, "properties": props}
    if version >= "2020-02-14":
        out["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY: {}}}
    return out


def gallery_body(version: str, **properties: Any) -> dict[str, Any]:
    out = body(version, **properties)
    out["properties"]["source"] = {
        "type": "SharedImageVersion",
        "imageVersionId": GALLERY_IMAGE + "/versions/latest",
    }
    return out


# -- cancel (2020-02-14) -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2020-02-14", LATEST])
def test_cancel_goes_canceling_then_canceled_without_outputs(stepper: Any, version: str) -> None:
    emu = stepper()
    emu.create("t", body(version), version)
    emu.run("t", version)
    emu.clock.advance(10)
    answer = emu.arm.call("POST", emu.path("t") + "/cancel", api_version=version)
    assert answer.status_code == (202 if version == LATEST else 204)
    if version == LATEST:
        assert "/operations/" in answer.headers["Azure-AsyncOperation"]
    canceling = emu.get("t", version)["properties"]["lastRunStatus"]
    assert canceling["runState"] == "Canceling"
    emu.clock.advance(1.5)
    status = emu.get("t", version)["properties"]["lastRunStatus"]
    assert status["runState"] == "Canceled"
    assert emu.outputs("t", version) == {}


def test_cancel_is_not_served_before_2020_02_14(stepper: Any) -> None:
    emu = stepper()
    answer = emu.arm.call("POST", emu.path("t") + "/cancel", api_version="2019-05-01-preview")
    assert answer.status_code in (400, 404)
    assert "api" in answer.json()["error"]["message"].lower()


# -- autoRun (2024-02-01) ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2024-02-01", LATEST])
def test_auto_run_enabled_starts_a_build_when_created(stepper: Any, version: str) -> None:
    emu = stepper()
    got = emu.create("t", body(version, autoRun={"state": "Enabled"}), version)
    assert got["properties"]["lastRunStatus"]["runState"] == "Running"
    _, final = emu.follow("t", version, step=5)
    assert final["runState"] == "Succeeded"
    assert set(emu.outputs("t", version)) == {"vhd"}
    disabled = emu.create("u", body(version, autoRun={"state": "Disabled"}), version)
    assert "lastRunStatus" not in disabled["properties"]


def test_auto_run_does_nothing_before_2024_02_01(stepper: Any) -> None:
    emu = stepper()
    got = emu.create("t", body("2023-07-01", autoRun={"state": "Enabled"}), "2023-07-01")
    assert "lastRunStatus" not in got["properties"]


# -- stagingResourceGroup (2022-02-14), managedResourceTags (2024-02-01) --------------------------------


@pytest.mark.parametrize("version", ["2022-02-14", LATEST])
def test_staging_resource_group_is_the_exact_staging_group(stepper: Any, version: str) -> None:
    emu = stepper()
    staging = f"/subscriptions/{SUB}/resourceGroups/my-staging"
    got = emu.create("t", body(version, stagingResourceGroup=staging), version)
    assert got["properties"]["exactStagingResourceGroup"] == staging
    group = emu.arm.get(f"/subscriptions/{SUB}/resourceGroups/my-staging", api_version="2021-04-01")
    assert group.status_code == 200
    assert group.json()["tags"]["imageTemplateName"] == "t"
    default = emu.create("u", body(version), version)
    assert "/resourceGroups/IT_rg_u_" in default["properties"]["exactStagingResourceGroup"]


def test_a_staging_resource_group_in_another_subscription_is_refused(stepper: Any) -> None:
    emu = stepper()
    other = "/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/s"
    answer = emu.arm.put(emu.path("t"), body(LATEST, stagingResourceGroup=other), api_version=LATEST)
    assert answer.status_code == 400
    assert answer.json()["error"]["target"] == "properties.stagingResourceGroup"


@pytest.mark.parametrize("version", ["2024-02-01", LATEST])
def test_managed_resource_tags_are_put_on_the_staging_group(stepper: Any, version: str) -> None:
    emu = stepper()
    got = emu.create("t", body(version, managedResourceTags={"owner": "images"}), version)
    name = got["properties"]["exactStagingResourceGroup"].rsplit("/", 1)[1]
    group = emu.arm.get(f"/subscriptions/{SUB}/resourceGroups/{name}", api_version="2021-04-01").json()
    assert group["tags"]["owner"] == "images"
    assert group["tags"]["createdBy"] == "AzureVMImageBuilder"


# -- VHD uri and versioning (2022-07-01) ---------------------------------------------------------------


@pytest.mark.parametrize("version", ["2022-07-01", LATEST])
def test_the_vhd_uri_is_the_artifact_uri(stepper: Any, version: str) -> None:
    emu = stepper(build_duration=2)
    uri = "https://account.blob.core.windows.net/vhds/mine.vhd"
    emu.create("t", body(version, distribute=[{"type": "VHD", "runOutputName": "vhd", "uri": uri}]), version)
    emu.run("t", version)
    emu.follow("t", version)
    assert emu.outputs("t", version)["vhd"]["artifactUri"] == uri


@pytest.mark.parametrize("version", ["2022-07-01", LATEST])
def test_versioning_numbers_the_gallery_versions(stepper: Any, version: str) -> None:
    emu = stepper(build_duration=2)
    latest = {"type": "SharedImage", "runOutputName": "sig", "galleryImageId": GALLERY_IMAGE}
    latest["versioning"] = {"scheme": "Latest", "major": 2}  # type: ignore[assignment]
    source = {"type": "SharedImage", "runOutputName": "src", "galleryImageId": GALLERY_IMAGE + "-src"}
    source["versioning"] = {"scheme": "Source"}  # type: ignore[assignment]
    for dist in (latest, source):
        dist["replicationRegions"] = ["westus2"]  # type: ignore[assignment]
    emu.create("t", body(version, distribute=[latest, source]), version)
    ids = []
    for _ in range(2):
        emu.run("t", version)
        emu.follow("t", version)
        ids.append(emu.outputs("t", version))
    assert ids[0]["sig"]["artifactId"] == GALLERY_IMAGE + "/versions/2.0.0"
    assert ids[1]["sig"]["artifactId"] == GALLERY_IMAGE + "/versions/2.0.1"
    # Source: the platform image's version ('latest' resolved), as a gallery version number
    assert ids[0]["src"]["artifactId"].endswith("/versions/22.4.202004290")


# -- validate (2022-02-14) -----------------------------------------------------------------------------

VALIDATIONS = [{"type": "Shell", "name": "check", "inline": ["test -f /etc/os-release"]}]


@pytest.mark.parametrize("version", ["2022-02-14", LATEST])
def test_validate_runs_a_validating_phase(stepper: Any, version: str) -> None:
    emu = stepper()
    emu.create("t", body(version, validate={"inVMValidations": VALIDATIONS}), version)
    emu.run("t", version)
    seen, final = emu.follow("t", version)
    assert seen == ["Queued", "Building", "Customizing", "Validating", "Distributing"]
    assert final["runState"] == "Succeeded"


@pytest.mark.parametrize("version", ["2022-02-14", LATEST])
def test_source_validation_only_distributes_nothing(stepper: Any, version: str) -> None:
    emu = stepper()
    validate = {"sourceValidationOnly": True, "inVMValidations": VALIDATIONS}
    emu.create("t", body(version, validate=validate), version)
    emu.run("t", version)
    seen, final = emu.follow("t", version)
    assert seen == ["Queued", "Building", "Validating"]
    assert final["runState"] == "Succeeded"
    assert emu.outputs("t", version) == {}


@pytest.mark.parametrize("version", ["2022-02-14", LATEST])
@pytest.mark.parametrize("keep_going", [True, False])
def test_continue_distribute_on_failure(stepper: Any, version: str, keep_going: bool) -> None:
    emu = stepper()
    validate = {"continueDistributeOnFailure": keep_going, "inVMValidations": VALIDATIONS}
    tags = {"azimagebuilder.emulator.scenario": "fail:Validating"}
    emu.create("t", body(version, tags=tags, validate=validate), version)
    emu.run("t", version)
    _, final = emu.follow("t", version)
    assert final["runState"] == "Failed"  # the run is failed either way
    assert final["runSubState"] == "Validating"
    assert ("distributed all the same" in final["message"]) is keep_going
    assert (set(emu.outputs("t", version)) == {"vhd"}) is keep_going


def test_validate_is_refused_before_2022_02_14(stepper: Any) -> None:
    emu = stepper()
    version = "2021-10-01"
    answer = emu.arm.put(
        emu.path("t"), body(version, validate={"inVMValidations": VALIDATIONS}), api_version=version
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["target"].startswith("properties.validate")


# -- errorHandling (2023-07-01) ------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2023-07-01", LATEST])
@pytest.mark.parametrize("choice", ["abort", "cleanup"])
def test_error_handling_decides_whether_the_build_vm_is_kept(stepper: Any, version: str, choice: str) -> None:
    emu = stepper()
    tags = {"azimagebuilder.emulator.scenario": "fail:Customizing"}
    handling = {"onCustomizerError": choice, "onValidationError": "cleanup"}
    emu.create("t", body(version, tags=tags, errorHandling=handling), version)
    emu.run("t", version)
    _, final = emu.follow("t", version)
    assert final["runState"] == "Failed"
    assert ("the build VM is kept" in final["message"]) is (choice == "abort")


@pytest.mark.parametrize("version", ["2023-07-01", LATEST])
def test_error_handling_on_validation_error(stepper: Any, version: str) -> None:
    emu = stepper()
    tags = {"azimagebuilder.emulator.scenario": "fail:Validating"}
    props = {"validate": {"inVMValidations": VALIDATIONS}, "errorHandling": {"onValidationError": "abort"}}
    emu.create("t", body(version, tags=tags, **props), version)
    emu.run("t", version)
    _, final = emu.follow("t", version)
    assert "onValidationError is abort: the build VM is kept" in final["message"]
    assert emu.outputs("t", version) == {}


# -- optimize (2022-07-01) -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2022-07-01", LATEST])
def test_optimize_adds_an_optimizing_phase(stepper: Any, version: str) -> None:
    emu = stepper()
    emu.create("t", body(version, optimize={"vmBoot": {"state": "Enabled"}}), version)
    emu.run("t", version)
    seen, final = emu.follow("t", version)
    assert seen == ["Queued", "Building", "Customizing", "Optimizing", "Distributing"]
    assert final["runState"] == "Succeeded"


@pytest.mark.parametrize(
    "phase", ["Queued", "Building", "Customizing", "Optimizing", "Validating", "Distributing"]
)
def test_a_scenario_can_make_any_phase_fail(stepper: Any, phase: str) -> None:
    emu = stepper()
    props = {"optimize": {"vmBoot": {"state": "Enabled"}}, "validate": {"inVMValidations": VALIDATIONS}}
    emu.create("t", body(LATEST, tags={"azimagebuilder.emulator.scenario": f"fail:{phase}"}, **props), LATEST)
    emu.run("t", LATEST)
    seen, final = emu.follow("t", LATEST)
    assert final["runState"] == "Failed"
    assert final["runSubState"] == phase
    assert seen[-1] == phase


def test_a_scenario_naming_a_phase_the_template_lacks_is_refused(stepper: Any) -> None:
    emu = stepper()
    emu.create("t", body(LATEST, tags={"azimagebuilder.emulator.scenario": "fail:Optimizing"}), LATEST)
    answer = emu.arm.call("POST", emu.path("t") + "/run", api_version=LATEST)
    assert answer.status_code == 400
    assert "no Optimizing phase" in answer.json()["error"]["message"]


# -- strict field names (2024-02-01) -------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2024-02-01", LATEST])
@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"VMProfile": {"vmSize": "Standard_D2s_v3"}}, "properties.VMProfile"),
        ({"vmProfile": {"vmsize": "Standard_D2s_v3"}}, "properties.vmProfile.vmsize"),
        ({"notAField": True}, "properties.notAField"),
    ],
)
def test_wrongly_cased_or_unknown_fields_are_refused(
    stepper: Any, version: str, change: dict[str, Any], path: str
) -> None:
    emu = stepper()
    answer = emu.arm.put(emu.path("t"), body(version, **change), api_version=version)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["message"].startswith("Unmarshalling entity encountered error")
    assert error["target"] == path


def test_the_2025_fields_are_unknown_at_2024_02_01(stepper: Any) -> None:
    emu = stepper()
    answer = emu.arm.put(
        emu.path("t"), body("2024-02-01", additionalDataDisks=[{"sizeGB": 8}]), api_version="2024-02-01"
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["target"] == "properties.additionalDataDisks"
    assert (
        emu.arm.put(
            emu.path("u"), body(LATEST, additionalDataDisks=[{"sizeGB": 8}]), api_version=LATEST
        ).status_code
        == 201
    )


def test_older_versions_read_field_names_forgivingly(stepper: Any) -> None:
    emu = stepper()
    answer = emu.arm.put(
        emu.path("t"), body("2023-07-01", vmProfile={"vmsize": "Standard_D2s_v3"}), api_version="2023-07-01"
    )
    assert answer.status_code == 201


# -- ARM's checks on the path ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2019-05-01-preview", LATEST])
def test_arm_refuses_a_subscription_id_that_is_not_a_guid(stepper: Any, version: str) -> None:
    emu = stepper()
    answer = emu.arm.get(
        f"/subscriptions/my-subscription/resourceGroups/rg/{NS}/imageTemplates/t", api_version=version
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidSubscriptionId"


@pytest.mark.parametrize("version", ["2019-05-01-preview", LATEST])
@pytest.mark.parametrize("group", ["bad%20name", "ends.", "bad*name", "x" * 91])
def test_arm_refuses_an_invalid_resource_group_name(stepper: Any, version: str, group: str) -> None:
    emu = stepper()
    answer = emu.arm.get(
        f"/subscriptions/{SUB}/resourceGroups/{group}/{NS}/imageTemplates/t", api_version=version
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidResourceGroupName"


# -- SourceImage triggers (2022-07-01) -----------------------------------------------------------------


def _new_source_version(emu: Stepper, name: str) -> None:
    path = GALLERY_IMAGE.replace("/resourceGroups/rg/", "/resourceGroups/rg/") + f"/versions/{name}"
    answer = emu.arm.put(path, {"location": "westus2", "properties": {}}, api_version="2023-07-03")
    assert answer.status_code in (200, 201), answer.text


def _gallery(emu: Stepper) -> None:
    assert emu.arm.put(f"/subscriptions/{SUB}/resourcegroups/rg", {"location": "westus2"}).status_code in (
        200,
        201,
    )
    gallery = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g"
    assert emu.arm.put(gallery, {"location": "westus2"}, api_version="2023-07-03").status_code in (200, 201)
    definition = {
        "location": "westus2",
        "properties": {
            "osType": "Linux",
            "osState": "Generalized",
            "identifier": {"publisher": "me", "offer": "ubuntu", "sku": "22.04"},
        },
    }
    assert emu.arm.put(gallery + "/images/ubuntu", definition, api_version="2023-07-03").status_code in (
        200,
        201,
    )


def _trigger(emu: Stepper, version: str) -> dict[str, Any]:
    answer = emu.arm.get(emu.path("t") + "/triggers/source", api_version=version)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _runs_seen(emu: Stepper, version: str) -> str:
    status = emu.get("t", version)["properties"].get("lastRunStatus")
    return "" if status is None else status["startTime"]


@pytest.mark.parametrize("version", ["2022-07-01", LATEST])
def test_a_new_source_image_version_starts_exactly_one_build(stepper: Any, version: str) -> None:
    emu = stepper(build_duration=10)
    _gallery(emu)
    _new_source_version(emu, "1.0.0")  # exists before the trigger: starts nothing
    emu.create("t", gallery_body(version), version)
    put = emu.arm.put(
        emu.path("t") + "/triggers/source", {"properties": {"kind": "SourceImage"}}, api_version=version
    )
    assert put.status_code == 201
    assert "lastRunStatus" not in emu.get("t", version)["properties"]

    _new_source_version(emu, "1.0.1")
    started = emu.get("t", version)["properties"]["lastRunStatus"]
    assert started["runState"] == "Running"
    for _ in range(5):  # looking again and again starts nothing more
        emu.clock.advance(1)
        assert emu.get("t", version)["properties"]["lastRunStatus"]["startTime"] == started["startTime"]
    _, final = emu.follow("t", version)
    assert final["runState"] == "Succeeded"
    emu.clock.advance(30)
    assert emu.get("t", version)["properties"]["lastRunStatus"]["startTime"] == started["startTime"]


@pytest.mark.parametrize("version", ["2022-07-01", LATEST])
def test_three_failed_builds_deactivate_the_trigger_and_a_manual_success_reactivates_it(
    stepper: Any, version: str
) -> None:
    emu = stepper(build_duration=10)
    _gallery(emu)
    emu.create(
        "t", gallery_body(version, tags={"azimagebuilder.emulator.scenario": "fail:Customizing"}), version
    )
    emu.arm.put(
        emu.path("t") + "/triggers/source", {"properties": {"kind": "SourceImage"}}, api_version=version
    )
    for index in range(3):
        assert _trigger(emu, version)["properties"]["status"]["code"] == "Healthy"
        _new_source_version(emu, f"1.0.{index}")
        _, final = emu.follow("t", version)
        assert final["runState"] == "Failed"
    status = _trigger(emu, version)["properties"]["status"]
    assert status["code"] != "Healthy"
    assert "3 consecutive failed builds" in status["message"]

    before = _runs_seen(emu, version)
    _new_source_version(emu, "1.0.9")  # a deactivated trigger starts nothing
    emu.clock.advance(1)
    assert _runs_seen(emu, version) == before

    patched = emu.arm.call("PATCH", emu.path("t"), {"tags": {}}, api_version=version)  # make builds succeed
    assert patched.status_code == 200
    emu.run("t", version)  # a manual build that succeeds
    _, final = emu.follow("t", version)
    assert final["runState"] == "Succeeded"
    assert _trigger(emu, version)["properties"]["status"]["code"] == "Healthy"
    _new_source_version(emu, "1.1.0")  # the trigger works again
    assert emu.get("t", version)["properties"]["lastRunStatus"]["runState"] == "Running"


def test_triggers_are_not_served_before_2022_07_01(stepper: Any) -> None:
    emu = stepper()
    answer = emu.arm.get(emu.path("t") + "/triggers", api_version="2022-02-14")
    assert answer.status_code in (400, 404)
