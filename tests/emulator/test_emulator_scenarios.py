"""Build scenarios (failure in a phase, partial success, timeout, provisioning failure) and the clock."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import Arm, template_body

from azimagebuilder.emulator import Emulator, ManualClock
from azimagebuilder.emulator.providers.imagebuilder import SCENARIO_TAG, Scenario, parse_scenario


def run_to_end(arm: Arm, name: str = "tmpl") -> tuple[dict[str, Any], dict[str, Any]]:
    """Start a run, poll its operation to the end; returns (operation body, lastRunStatus)."""
    operation = arm.wait(arm.call("POST", arm.path(name) + "/run").headers["Location"])
    status = arm.call("GET", arm.path(name)).json()["properties"]["lastRunStatus"]
    return operation, status


@pytest.mark.parametrize("phase", ["Queued", "Building", "Customizing", "Distributing"])
def test_fail_in_a_chosen_phase_points_at_customization_log(arm: Arm, phase: str) -> None:
    """SERVICE-BEHAVIOUR.md, Run: a failed run's operation body is {"status": "Failed", "error": {"code":
    "PackerBuildFailed", "message": "... customization.log in the staging resource group storage account
    (container packerlogs) ..."}}; logs live in IT_<rg>_<name>_<guid>, blob <run-id>/customization.log."""
    arm.create(body=template_body(tags={SCENARIO_TAG: f"fail:{phase}"}))
    operation, status = run_to_end(arm)
    assert operation["status"] == "Failed"
    assert operation["error"]["code"] == "PackerBuildFailed"
    message = operation["error"]["message"]
    assert "customization.log" in message
    assert "packerlogs" in message
    assert "IT_imagesRG_tmpl_" in message
    assert status["runState"] == "Failed"
    assert status["runSubState"] == phase
    assert status["message"] == message
    assert arm.call("GET", arm.path() + "/runOutputs").json() == {"value": []}
    log_url = message.split("Image Build log location: ")[1].split(" ")[0]
    assert log_url.endswith("/customization.log")
    log = arm.emulator.artifacts.read(log_url).decode()  # type: ignore[attr-defined]
    assert "PACKER ERR" in log


def test_customizing_failure_log_names_the_customizers(arm: Arm) -> None:
    """Seed document, customize: any failure in a customizer fails the build and shows in customization.log;
    the emulator's log says what each customizer would have run."""
    customize = [
        {"name": "first", "type": "Shell", "inline": ["echo one", "echo two"]},
        {
            "name": "copy",
            "type": "File",
            "sourceUri": "https://example.com/f.txt",
            "destination": "/tmp/f.txt",
        },
    ]
    arm.create(body=template_body(customize=customize, tags={SCENARIO_TAG: "fail"}))
    operation, _ = run_to_end(arm)
    log_url = operation["error"]["message"].split("Image Build log location: ")[1].split(" ")[0]
    log = arm.emulator.artifacts.read(log_url).decode()  # type: ignore[attr-defined]
    assert "(not run) echo one" in log
    assert "(not run) echo two" in log
    assert "https://example.com/f.txt -> /tmp/f.txt" in log
    assert "Provisioning step had errors: copy" in log


def test_partial_success_fails_one_distribution(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, Run: runState ends Succeeded, PartiallySucceeded or Failed."""
    dist = [{"runOutputName": "vhd_a", "type": "VHD"}, {"runOutputName": "vhd_b", "type": "VHD"}]
    arm.create(body=template_body(distribute=dist, tags={SCENARIO_TAG: "partial:vhd_a"}))
    operation, status = run_to_end(arm)
    assert operation["status"] == "Succeeded"
    assert status["runState"] == "PartiallySucceeded"
    assert "vhd_a" in status["message"]
    outputs = {
        o["name"]: o["properties"] for o in arm.call("GET", arm.path() + "/runOutputs").json()["value"]
    }
    assert outputs["vhd_a"] == {"provisioningState": "Failed"}
    assert outputs["vhd_b"]["provisioningState"] == "Succeeded"
    assert "artifactUri" in outputs["vhd_b"]


def test_timeout_overruns_build_timeout_in_minutes(slow_arm: Arm, clock: ManualClock) -> None:
    """Seed document, buildTimeoutInMinutes: after the timeout the build stops with "Failed while waiting for
    packerizer: Timeout waiting for microservice to complete: 'context deadline exceeded'"."""
    slow_arm.create(body=template_body(buildTimeoutInMinutes=5, tags={SCENARIO_TAG: "timeout"}))
    clock.advance(20)
    url = slow_arm.call("POST", slow_arm.path() + "/run").headers["Location"]
    clock.advance(200)  # the normal build (100 s) would be over: customizing hangs
    status = slow_arm.call("GET", slow_arm.path()).json()["properties"]["lastRunStatus"]
    assert (status["runState"], status["runSubState"]) == ("Running", "Customizing")
    assert slow_arm.url(url).json()["status"] == "InProgress"
    clock.advance(100)  # 300 s = 5 minutes after the start
    operation = slow_arm.url(url).json()
    assert operation["status"] == "Failed"
    assert "context deadline exceeded" in operation["error"]["message"]
    status = slow_arm.call("GET", slow_arm.path()).json()["properties"]["lastRunStatus"]
    assert status["runState"] == "Failed"


def test_timeout_default_is_240_minutes(slow_arm: Arm, clock: ManualClock) -> None:
    """SUMMARY.md: buildTimeoutInMinutes 0 or absent means the default of 4 hours."""
    slow_arm.create(body=template_body(tags={SCENARIO_TAG: "timeout"}))
    clock.advance(20)
    url = slow_arm.call("POST", slow_arm.path() + "/run").headers["Location"]
    clock.advance(minutes=239)
    assert slow_arm.url(url).json()["status"] == "InProgress"
    clock.advance(minutes=1)
    assert slow_arm.url(url).json()["status"] == "Failed"


def test_provisioning_failure(arm: Arm) -> None:
    """SUMMARY.md, ProvisioningError: provisioningErrorCode (e.g. BadPIRSource) and message on a template
    whose
    creation failed; provisioningState Failed."""
    answer = arm.create(body=template_body(tags={SCENARIO_TAG: "provision-fail:BadPIRSource"}))
    operation = arm.wait(answer.headers["Azure-AsyncOperation"])
    assert operation["status"] == "Failed"
    assert operation["error"]["code"] == "BadPIRSource"
    props = arm.call("GET", arm.path()).json()["properties"]
    assert props["provisioningState"] == "Failed"
    assert props["provisioningError"]["provisioningErrorCode"] == "BadPIRSource"
    assert arm.call("POST", arm.path() + "/run").status_code == 409


def test_server_wide_scenario_and_tag_override(make_arm: Any) -> None:
    """Scenarios per server (Emulator(scenario=...)) and per template (tag), the tag winning."""
    arm = make_arm(scenario="fail:Building")
    arm.create("a")
    arm.create("b", template_body(tags={SCENARIO_TAG: "succeed"}))
    assert run_to_end(arm, "a")[0]["status"] == "Failed"
    assert run_to_end(arm, "b")[0]["status"] == "Succeeded"


def test_scenario_parsing() -> None:
    assert parse_scenario(None) == Scenario("succeed")
    assert parse_scenario("fail") == Scenario("fail", phase="Customizing")
    assert parse_scenario("FAIL:distributing") == Scenario("fail", phase="Distributing")
    assert parse_scenario("partial:x") == Scenario("partial", target="x")
    with pytest.raises(ValueError, match="phase"):
        parse_scenario("fail:Sleeping")
    with pytest.raises(ValueError, match="unknown emulator scenario"):
        parse_scenario("explode")
    with pytest.raises(ValueError, match="unknown emulator scenario"):
        Emulator(scenario="explode")


def test_build_duration_is_split_across_the_phases(make_arm: Any) -> None:
    """SERVICE-BEHAVIOUR.md, Run: runSubState moves Queued -> Building -> Customizing -> Distributing; the
    emulator gives them 10/30/40/20 % of build_duration, on the clock it was given."""
    clock = ManualClock()
    arm = make_arm(build_duration=1000, create_duration=0, clock=clock)
    arm.create()
    arm.call("POST", arm.path() + "/run")
    edges = {99: "Queued", 101: "Building", 399: "Building", 401: "Customizing", 799: "Customizing"}
    elapsed = 0
    for at, phase in edges.items():
        clock.advance(at - elapsed)
        elapsed = at
        status = arm.call("GET", arm.path()).json()["properties"]["lastRunStatus"]
        assert status["runSubState"] == phase, at
    clock.advance(2)
    assert arm.call("GET", arm.path()).json()["properties"]["lastRunStatus"]["runSubState"] == "Distributing"


def test_manual_clock_rules() -> None:
    clock = ManualClock()
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone"):
        ManualClock(datetime(2020, 1, 1))


def test_latest_version_is_resolved_once_a_build_ran(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, Create: newer sessions show source.version "latest" resolved server-side (for
    example "latest (16.04.202004290)"); the seed document: 'latest' is evaluated when the build takes
    place."""
    body = template_body()
    body["properties"]["source"]["version"] = "latest"
    arm.create(body=body)
    assert arm.call("GET", arm.path()).json()["properties"]["source"]["version"] == "latest"
    run_to_end(arm)
    version = arm.call("GET", arm.path()).json()["properties"]["source"]["version"]
    assert version.startswith("latest (18.04.")


def test_scenario_tag_set_by_patch_and_the_slash_spelling(arm: Arm) -> None:
    """A scenario can be chosen after creation with PATCH of tags; `azimagebuilder.emulator/scenario` (the
    spelling with a slash) is accepted too; a typo is refused at PATCH time."""
    arm.create()
    assert arm.call("PATCH", arm.path(), {"tags": {"azimagebuilder.emulator/scenario": "fail:Building"}}).ok
    operation, status = run_to_end(arm)
    assert operation["status"] == "Failed"
    assert status["runSubState"] == "Building"
    refused = arm.call("PATCH", arm.path(), {"tags": {SCENARIO_TAG: "fail:Nowhere"}})
    assert refused.status_code == 400


def test_logs_and_vhds_can_be_fetched_over_https(arm: Arm) -> None:
    """The in-memory artifacts (customization.log, VHD) are served at /_emulator/artifacts?url=<blob URL>, so
    a client in another process can fetch what a run wrote; the route still needs a bearer token."""
    arm.create(body=template_body(tags={SCENARIO_TAG: "fail"}))
    operation, _ = run_to_end(arm)
    log_url = operation["error"]["message"].split("Image Build log location: ")[1].split(" ")[0]
    got = arm.session.get(
        arm.emulator.base_url + "/_emulator/artifacts", params={"url": log_url}, verify=arm.emulator.ca_cert
    )
    assert got.status_code == 200
    assert got.headers["Content-Type"].startswith("text/plain")
    assert "PACKER ERR" in got.text
    missing = arm.session.get(
        arm.emulator.base_url + "/_emulator/artifacts",
        params={"url": "https://x.blob.core.windows.net/packerlogs/nothing"},
        verify=arm.emulator.ca_cert,
    )
    assert missing.status_code == 404
    assert arm.call("GET", "/_emulator/artifacts", auth=False, api_version=None).status_code == 401


def test_a_template_runs_again_with_a_new_run(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md / seed document: a template can be run again ('latest' is evaluated at each
    build);
    each run has its own operation and log, and the run outputs are those of the latest run."""
    arm.create(body=template_body(distribute=[{"runOutputName": "vhd", "type": "VHD"}]))
    first = arm.call("POST", arm.path() + "/run").headers["Location"]
    arm.wait(first)
    first_uri = arm.call("GET", arm.path() + "/runOutputs/vhd").json()["properties"]["artifactUri"]
    second = arm.call("POST", arm.path() + "/run").headers["Location"]
    assert second != first
    assert arm.wait(second)["status"] == "Succeeded"
    assert arm.call("GET", arm.path() + "/runOutputs/vhd").json()["properties"]["artifactUri"] == first_uri
    logs = [u for u in arm.emulator.artifacts.urls() if u.endswith("customization.log")]  # type: ignore[attr-defined]
    assert len(logs) == 2


def test_linked_authorization_failed(arm: Arm) -> None:
    """2020-02-14 template-file recording: the PUT answered 403 LinkedAuthorizationFailed with
    x-ms-failure-cause: gateway when the identity's subscription was in another tenant; nothing was
    created."""
    answer = arm.call("PUT", arm.path(), template_body(tags={SCENARIO_TAG: "linked-authorization-failed"}))
    assert answer.status_code == 403
    assert answer.headers["x-ms-failure-cause"] == "gateway"
    assert answer.json()["error"]["code"] == "LinkedAuthorizationFailed"
    assert "userAssignedIdentities/assign/action" in answer.json()["error"]["message"]
    assert arm.call("GET", arm.path()).status_code == 404
