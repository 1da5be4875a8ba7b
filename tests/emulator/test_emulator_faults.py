"""Fault injection: 429 / 500 / 503 / 504 and dropped connections, per route, deterministic with a seed."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_support import Arm, template_body

from azimagebuilder.emulator import FaultPlan, FaultRule, parse_fault


def test_429_carries_retry_after_in_arm_error_shape(make_arm: Any) -> None:
    """SERVICE-BEHAVIOUR.md, Errors: clients must retry transient faults; ARM throttling answers 429
    TooManyRequests with Retry-After."""
    arm = make_arm(faults=[FaultRule("imageTemplates.get", 429, times=1, retry_after=7)])
    arm.create()
    throttled = arm.call("GET", arm.path())
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "7"
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    assert arm.call("GET", arm.path()).status_code == 200


@pytest.mark.parametrize(
    ("status", "code"), [(500, "InternalServerError"), (503, "ServiceUnavailable"), (504, "GatewayTimeout")]
)
def test_server_errors_on_one_route_only(make_arm: Any, status: int, code: str) -> None:
    """SERVICE-BEHAVIOUR.md, Errors: seen in issue threads, intermittent 500 on GET during long builds and
    504 GatewayTimeout on run and delete."""
    arm = make_arm(faults=[FaultRule("operations.get", status, times=2)])
    url = arm.create().headers["Azure-AsyncOperation"]
    assert arm.call("GET", arm.path()).status_code == 200  # other routes unaffected
    for _ in range(2):
        answer = arm.url(url)
        assert answer.status_code == status
        assert answer.json()["error"]["code"] == code
    if status == 504:
        assert answer.headers["x-ms-failure-cause"] == "gateway"
    assert arm.url(url).status_code == 200


def test_dropped_connection(make_arm: Any) -> None:
    """A dropped connection: the client sees the connection closed without an answer."""
    arm = make_arm(faults=[FaultRule("imageTemplates.list", "drop", times=1)])
    sub = arm.emulator.subscription_id
    path = f"/subscriptions/{sub}/providers/Microsoft.VirtualMachineImages/imageTemplates"
    with pytest.raises(requests.ConnectionError):
        arm.call("GET", path)
    assert arm.call("GET", path).status_code == 200


def test_fault_after_the_request_was_carried_out(make_arm: Any) -> None:
    """SERVICE-BEHAVIOUR.md, Errors: 504 GatewayTimeout on run and delete: the operation may have happened
    even though the answer was lost, so a client must look before it retries."""
    arm = make_arm(faults=[FaultRule("imageTemplates.put", 504, times=1, after=True)])
    lost = arm.call("PUT", arm.path(), template_body())
    assert lost.status_code == 504
    assert arm.call("GET", arm.path()).status_code == 200


def test_rates_are_deterministic_with_a_seed(make_arm: Any) -> None:
    """Same seed, same sequence of faults for a sequential client; another seed, another sequence."""

    def pattern(seed: int) -> list[int]:
        arm = make_arm(faults=[FaultRule("imageTemplates.get", 500, rate=0.5)], seed=seed)
        return [arm.call("GET", arm.path()).status_code for _ in range(24)]

    first, again, other = pattern(3), pattern(3), pattern(4)
    assert first == again
    assert set(first) == {404, 500}
    assert first != other


def test_rules_change_while_serving(arm: Arm) -> None:
    rule = arm.emulator.faults.add(FaultRule("*", 503, method="GET"))
    assert arm.call("GET", arm.path()).status_code == 503
    assert arm.call("PUT", arm.path(), template_body()).status_code == 201  # method filter
    assert rule.hits == 1
    arm.emulator.faults.clear()
    assert arm.call("GET", arm.path()).status_code == 200


def test_fault_plan_and_parsing() -> None:
    plan = FaultPlan([FaultRule("runOutputs.*", 500, times=1)])
    assert plan.draw("imageTemplates.get", "GET") is None
    assert plan.draw("runOutputs.get", "GET") is not None
    assert plan.draw("runOutputs.get", "GET") is None
    rule = parse_fault("operations.get=503@0.25x3+after")
    assert (rule.route, rule.status, rule.rate, rule.times, rule.after) == (
        "operations.get",
        503,
        0.25,
        3,
        True,
    )
    assert parse_fault("*=drop").status == "drop"
    for bad in ("nothing", "x=418", "x=500@2"):
        with pytest.raises(ValueError, match="fault"):
            parse_fault(bad)
