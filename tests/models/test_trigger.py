"""The Trigger model: the service's wire form in and out, read-only fields never sent."""

from __future__ import annotations

from datetime import timezone

import pytest

from azimagebuilder import Trigger, TriggerStatus

WIRE = {
    "id": (
        "/subscriptions/s/resourcegroups/rg/providers/Microsoft.VirtualMachineImages"
        "/imageTemplates/t/triggers/source"
    ),
    "name": "source",
    "type": "Microsoft.VirtualMachineImages/imageTemplates/triggers",
    "properties": {
        "kind": "SourceImage",
        "status": {"code": "Healthy", "message": "", "time": "2024-10-21T17:32:28Z"},
        "provisioningState": "Succeeded",
    },
}


def test_from_arm_reads_every_field() -> None:
    trigger = Trigger.from_arm(WIRE)
    assert trigger.name == "source"
    assert trigger.id is not None
    assert trigger.id.endswith("/triggers/source")
    assert trigger.kind == "SourceImage"
    assert trigger.provisioning_state == "Succeeded"
    assert isinstance(trigger.status, TriggerStatus)
    assert trigger.status.code == "Healthy"
    assert trigger.status.time is not None
    assert trigger.status.time.tzinfo == timezone.utc
    assert trigger.active


def test_round_trip_to_arm() -> None:
    assert Trigger.from_arm(WIRE).to_arm() == WIRE


def test_resource_body_leaves_out_read_only_fields() -> None:
    assert Trigger.from_arm(WIRE).to_resource_body() == {"properties": {"kind": "SourceImage"}}


def test_kind_matches_case_insensitively_and_unknown_kinds_are_kept() -> None:
    assert Trigger(kind="sourceimage").kind == "SourceImage"
    assert Trigger(kind="Schedule").kind == "Schedule"
    with pytest.raises(ValueError, match="kind"):
        Trigger(kind="")


def test_a_deactivated_trigger_is_not_active() -> None:
    wire = {"name": "source", "properties": {"kind": "SourceImage", "status": {"code": "Deactivated"}}}
    trigger = Trigger.from_arm(wire)
    assert trigger.status is not None
    assert not trigger.status.healthy
    assert not trigger.active
