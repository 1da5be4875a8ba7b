"""The emulator's refusals, in ARM's error shape: 401, 404, 400, 409, api-version and registration errors."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import PREVIEW, STABLE, SUB, Arm, template_body

from azimagebuilder.emulator import ManualClock


def error_of(answer: Any) -> dict[str, Any]:
    body = answer.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"])
    return body["error"]  # type: ignore[no-any-return]


def test_no_bearer_token_is_401_authentication_failed(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, Errors: ARM wraps errors as {"error": {"code", "message"}}; ARM refuses a call
    without a token with 401 and a WWW-Authenticate challenge."""
    answer = arm.call("GET", arm.path(), auth=False)
    assert answer.status_code == 401
    assert error_of(answer)["code"] == "AuthenticationFailed"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer ")
    basic = arm.call("GET", arm.path(), auth=False, headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert basic.status_code == 401
    assert error_of(basic)["code"] == "AuthenticationFailedInvalidHeader"


def test_unknown_template_is_404_resource_not_found(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, Delete: after deletion GET answers 404 (ResourceNotFound in ARM's shape); same
    for
    run outputs and operations that do not exist."""
    answer = arm.call("GET", arm.path("missing"))
    assert answer.status_code == 404
    assert error_of(answer)["code"] == "ResourceNotFound"
    assert "missing" in error_of(answer)["message"]
    arm.create("present")
    output = arm.call("GET", arm.path("present") + "/runOutputs/nothing")
    assert output.status_code == 404
    assert error_of(output)["code"] == "ResourceNotFound"
    op = arm.call(
        "GET",
        f"/subscriptions/{SUB}/providers/Microsoft.VirtualMachineImages/locations/westus/operations/"
        "00000000-1111-2222-3333-444444444444",
    )
    assert op.status_code == 404
    real = arm.create("elsewhere").headers["Azure-AsyncOperation"]
    assert arm.url(real).status_code == 200
    assert arm.url(real.replace("/locations/westus/", "/locations/eastus/")).status_code == 404
    assert arm.call("POST", arm.path("missing") + "/run").status_code == 404


def test_re_put_changing_a_template_is_refused(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, Create: a re-PUT of an existing template with a changed body is refused
    (update is
    not supported; delete and re-create); the same body again is accepted."""
    arm.create("fixed")
    changed = template_body(buildTimeoutInMinutes=120)
    answer = arm.call("PUT", arm.path("fixed"), changed)
    assert answer.status_code == 409
    assert error_of(answer)["code"] == "Conflict"
    assert "not supported" in error_of(answer)["message"]
    same = arm.call("PUT", arm.path("fixed"), template_body(tags={"owner": "me"}))
    assert same.status_code == 200
    assert same.json()["tags"] == {"owner": "me"}
    assert arm.call("GET", arm.path("fixed")).json()["properties"]["buildTimeoutInMinutes"] == 0


def test_invalid_template_is_400_with_each_problem(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, Errors / issue 3: a bad template fails at PUT as in Azure, in ARM's error shape;
    the emulator checks with the library's own validation."""
    body = template_body(distribute=[])
    body["properties"]["source"] = {"type": "PlatformImage"}
    answer = arm.call("PUT", arm.path("bad"), body)
    assert answer.status_code == 400
    error = error_of(answer)
    assert error["code"] == "InvalidParameter"
    assert error["details"]
    assert all({"code", "target", "message"} <= set(d) for d in error["details"])
    assert arm.call("GET", arm.path("bad")).status_code == 404
    no_location = arm.call("PUT", arm.path("bad"), {"properties": template_body()["properties"]})
    assert no_location.status_code == 400
    assert error_of(no_location)["code"] == "LocationRequired"
    not_json = arm.session.put(
        arm.emulator.base_url + arm.path("bad") + f"?api-version={PREVIEW}",
        data=b"{not json",
        verify=arm.emulator.ca_cert,
    )
    assert not_json.status_code == 400
    assert error_of(not_json)["code"] == "InvalidRequestContent"


def test_what_the_service_tolerated_is_accepted(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, Create: the service accepted two Shell customizers of the same name and managed
    image distributions to regions outside the preview list (southcentralus)."""
    twice = {"name": "customizeScript.sh", "type": "Shell", "scriptUri": "https://example.com/c.sh"}
    image = f"/subscriptions/{SUB}/resourceGroups/imagesRG/providers/Microsoft.Compute/images/img_2"
    dist = [
        {"runOutputName": "img_2", "type": "ManagedImage", "imageId": image, "location": "southcentralus"}
    ]
    body = template_body(customize=[twice, dict(twice)], distribute=dist)
    assert arm.call("PUT", arm.path("dup"), body).status_code == 201


def test_stable_api_version_requires_an_identity(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, API versions: from 2020-02-14 identity is required."""
    answer = arm.call("PUT", arm.path("noid"), template_body(), api_version=STABLE)
    assert answer.status_code == 400
    assert error_of(answer)["target"] == "identity"


def test_api_version_missing_unsupported_or_malformed(make_arm: Any) -> None:
    """SERVICE-BEHAVIOUR.md, API versions: a subscription may refuse an api-version (ARM answers 400
    NoRegisteredProviderFound listing the supported versions); a missing api-version is 400
    MissingApiVersionParameter."""
    arm = make_arm(api_versions=["2022-07-01", "2024-02-01"])
    missing = arm.call("GET", arm.path(), api_version=None)
    assert missing.status_code == 400
    assert error_of(missing)["code"] == "MissingApiVersionParameter"
    retired = arm.call("PUT", arm.path(), template_body(), api_version=PREVIEW)
    assert retired.status_code == 400
    assert error_of(retired)["code"] == "NoRegisteredProviderFound"
    assert "2022-07-01, 2024-02-01" in error_of(retired)["message"]
    assert "'westus'" in error_of(retired)["message"]
    malformed = arm.call("GET", arm.path(), api_version="yesterday")
    assert error_of(malformed)["code"] == "InvalidApiVersionParameter"
    assert arm.call("GET", arm.path(), api_version="2024-02-01").status_code == 404  # served, just missing


def test_every_known_api_version_is_served_by_default(arm: Arm) -> None:
    """The emulator serves, by default, every api-version the library knows
    (_constants.KNOWN_API_VERSIONS)."""
    from azimagebuilder._constants import KNOWN_API_VERSIONS

    for version in KNOWN_API_VERSIONS:
        assert arm.call("GET", arm.path(), api_version=version).status_code == 404


def test_unregistered_provider_is_409_missing_subscription_registration(arm: Arm) -> None:
    """azvmimagebuilder issue #22 (a real PUT): "The subscription is not registered ... (CODE: 409)"; the
    switch
    is per subscription."""
    arm.emulator.unregister_provider()
    answer = arm.call("PUT", arm.path(), template_body())
    assert answer.status_code == 409
    error = error_of(answer)
    assert error["code"] == "MissingSubscriptionRegistration"
    assert "Microsoft.VirtualMachineImages" in error["message"]
    other = "22222222-0000-0000-0000-000000000000"
    assert arm.call("PUT", arm.path(sub=other), template_body()).status_code == 201
    arm.emulator.register_provider()
    assert arm.call("PUT", arm.path(), template_body()).status_code == 201


def test_delete_and_run_are_refused_while_a_run_is_in_progress(slow_arm: Arm, clock: ManualClock) -> None:
    """SERVICE-BEHAVIOUR.md, Delete: delete is refused while a run is in progress; once the run is over the
    delete is accepted."""
    slow_arm.create()
    early = slow_arm.call("POST", slow_arm.path() + "/run")
    assert early.status_code == 409  # still Creating
    clock.advance(20)
    assert slow_arm.call("POST", slow_arm.path() + "/run").status_code == 202
    clock.advance(50)
    refused = slow_arm.call("DELETE", slow_arm.path())
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "Conflict"
    assert slow_arm.call("POST", slow_arm.path() + "/run").status_code == 409
    changed = slow_arm.call("PUT", slow_arm.path(), template_body(buildTimeoutInMinutes=9))
    assert changed.status_code == 409
    clock.advance(50)
    assert slow_arm.call("DELETE", slow_arm.path()).status_code == 202


def test_unknown_route_and_method(arm: Arm) -> None:
    """ARM answers unknown paths with an error in its shape; a known path with an unsupported method is
    405."""
    unknown = arm.call("GET", f"/subscriptions/{SUB}/providers/Microsoft.Nothing/things")
    assert unknown.status_code == 404
    assert error_of(unknown)["code"] == "InvalidResourceType"
    wrong = arm.call("PUT", arm.path() + "/runOutputs")
    assert wrong.status_code == 405


@pytest.mark.parametrize("name", ["has space", "x" * 65, "semi;colon"])
def test_bad_template_names_are_refused(arm: Arm, name: str) -> None:
    """SUMMARY.md: imageTemplateName must match ^[A-Za-z0-9-_.]{1,64}$."""
    answer = arm.call("PUT", arm.path(name), template_body())
    assert answer.status_code == 400
    assert error_of(answer)["code"] == "InvalidResourceName"


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"location": "westus", "properties": {"source": "text", "distribute": []}},
        {"location": "westus", "properties": {"source": {"type": "PlatformImage"}, "customize": "x"}},
        {"location": "westus", "properties": []},
        {"location": 5, "properties": {}},
        {"location": "westus", "tags": "x", "properties": {"distribute": [1, None]}},
        {"location": "westus", "tags": {"azimagebuilder.emulator.scenario": "explode"}, "properties": {}},
    ],
)
def test_malformed_bodies_are_400_never_500(arm: Arm, body: Any) -> None:
    """Whatever the body, the answer is an ARM 4xx error, never a 500 from the emulator itself."""
    answer = arm.call("PUT", arm.path("odd"), body)
    assert answer.status_code == 400, answer.text
    assert set(answer.json()) == {"error"}


def test_unknown_scenario_tag_is_refused(arm: Arm) -> None:
    """A typo in the scenario tag fails the PUT loudly instead of silently building normally."""
    answer = arm.call("PUT", arm.path(), template_body(tags={"azimagebuilder.emulator.scenario": "fial"}))
    assert answer.status_code == 400
    assert "unknown emulator scenario" in answer.json()["error"]["message"]


def test_template_location_outside_the_preview_regions(arm: Arm) -> None:
    """SERVICE-BEHAVIOUR.md, Create: only the template's own location is limited at 2019-05-01-preview (the
    seven regions of the template document); ARM refuses other regions with
    LocationNotAvailableForResourceType.
    Stable api-versions are not limited to those regions."""
    answer = arm.call("PUT", arm.path("scus"), template_body(location="southcentralus"))
    assert answer.status_code == 400
    error = error_of(answer)
    assert error["code"] == "LocationNotAvailableForResourceType"
    assert "'southcentralus'" in error["message"]
    assert "westcentralus" in error["message"]
    identity_id = f"/subscriptions/{SUB}/resourceGroups/r/providers/Microsoft.ManagedIdentity"
    body = template_body(location="southcentralus")
    body["identity"] = {
        "type": "UserAssigned",
        "userAssignedIdentities": {identity_id + "/userAssignedIdentities/i": {}},
    }
    assert arm.call("PUT", arm.path("scus"), body, api_version="2024-02-01").status_code == 201
