"""Build simulation: scenarios, the run's plan and phases, ``lastRunStatus`` and the customization.log.

A run is planned completely when it starts (phase times, end, outcome), so every later answer is a pure
function of the plan and the clock. See providers/imagebuilder.py for the scenarios.

Example:
    >>> parse_scenario("fail:Customizing")
    Scenario(kind='fail', phase='Customizing', target=None)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._clock import ZERO_DATE, format_nanos, from_epoch, to_epoch
from ._shapes import salt, template_id

__all__ = [
    "DEFAULT_TIMEOUT_MINUTES",
    "PHASES",
    "PHASE_NAMES",
    "SCENARIO_TAG",
    "Scenario",
    "build_log",
    "current_phase",
    "last_run_status",
    "parse_scenario",
    "plan_run",
    "scenario_of",
]

#: The tag that chooses a template's build scenario. (Azure tag names cannot contain "/".)
SCENARIO_TAG = "azimagebuilder.emulator.scenario"
_SCENARIO_TAGS = (SCENARIO_TAG, "azimagebuilder.emulator/scenario")

#: Build phases, as ``lastRunStatus.runSubState`` names them, and the share of the build each takes.
PHASES: tuple[tuple[str, float], ...] = (
    ("Queued", 0.1),
    ("Building", 0.3),
    ("Customizing", 0.4),
    ("Distributing", 0.2),
)
PHASE_NAMES = tuple(name for name, _ in PHASES)

DEFAULT_TIMEOUT_MINUTES = 240


@dataclass(frozen=True)
class Scenario:
    """How a run (or the creation) of a template ends."""

    kind: str  # succeed | fail | partial | timeout | provision-fail | linked-authorization-failed
    phase: str | None = None
    target: str | None = None


def parse_scenario(text: str | None) -> Scenario:
    """Parse a scenario string (the forms are listed in providers/imagebuilder.py).

    Raises:
        ValueError: an unknown scenario, with the accepted forms.
    """
    if text is None or not text.strip():
        return Scenario("succeed")
    kind, _, arg = text.strip().partition(":")
    kind = kind.strip().lower()
    arg = arg.strip()
    if kind in {"succeed", "success", "succeeded"} and not arg:
        return Scenario("succeed")
    if kind == "fail":
        phase = arg or "Customizing"
        for name in PHASE_NAMES:
            if name.lower() == phase.lower():
                return Scenario("fail", phase=name)
        raise ValueError(f"scenario {text!r}: the phase must be one of {', '.join(PHASE_NAMES)}")
    if kind == "partial":
        return Scenario("partial", target=arg or None)
    if kind == "timeout" and not arg:
        return Scenario("timeout")
    if kind == "linked-authorization-failed" and not arg:
        return Scenario("linked-authorization-failed")
    if kind == "provision-fail":
        code = arg or "Other"
        return Scenario("provision-fail", target=code)
    raise ValueError(
        f"unknown emulator scenario {text!r}; use succeed, fail[:<Phase>], partial[:<runOutputName>], "
        "timeout, provision-fail[:<code>] or linked-authorization-failed"
    )


def scenario_of(tags: Mapping[str, Any] | None, default: str | None) -> Scenario:
    """The scenario a template's tag chooses, else the server-wide ``default``."""
    for key, value in (tags or {}).items():
        if key.lower() in _SCENARIO_TAGS and isinstance(value, str):
            return parse_scenario(value)
    return parse_scenario(default)


def plan_run(
    record: Mapping[str, Any], now_dt: datetime, *, build_duration: float, default_scenario: str | None
) -> dict[str, Any]:
    """Plan a run from its start: phase times, end, outcome (all a function of the scenario).

    Raises:
        ValueError: the template's scenario tag is not a scenario.
    """
    scenario = scenario_of(record.get("tags"), default_scenario)
    duration = build_duration
    t0 = to_epoch(now_dt)
    phases: list[list[Any]] = []
    bounds: dict[str, tuple[float, float]] = {}
    cursor = t0
    for name, share in PHASES:
        phases.append([name, cursor])
        bounds[name] = (cursor, cursor + duration * share)
        cursor += duration * share
    run: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "start": t0,
        "phases": phases,
        "end": t0 + duration,
        "final": "Succeeded",
        "opStatus": "Succeeded",
        "failedPhase": None,
        "failedOutputs": [],
        "message": "",
        "settled": False,
        "cancel": None,
    }
    if scenario.kind == "fail":
        assert scenario.phase is not None
        run["end"] = bounds[scenario.phase][1]
        run["final"] = run["opStatus"] = "Failed"
        run["failedPhase"] = scenario.phase
        run["phases"] = [p for p in phases if p[1] <= bounds[scenario.phase][0]]
    elif scenario.kind == "partial":
        names = [str(d.get("runOutputName")) for d in record["properties"].get("distribute", [])]
        target = scenario.target if scenario.target in names else (names[-1] if names else None)
        run["final"] = "PartiallySucceeded"
        run["failedOutputs"] = [target] if target else []
    elif scenario.kind == "timeout":
        minutes = record["properties"].get("buildTimeoutInMinutes") or DEFAULT_TIMEOUT_MINUTES
        deadline = t0 + float(minutes) * 60
        customizing_start = bounds["Customizing"][0]
        run["end"] = max(deadline, t0)
        run["phases"] = [p for p in phases if p[1] <= max(customizing_start, t0) and p[1] <= deadline]
        run["final"] = run["opStatus"] = "Failed"
        run["failedPhase"] = run["phases"][-1][0]
        run["timedOut"] = True
    return run


def build_log(record: Mapping[str, Any], run: Mapping[str, Any], upto: str | None = None) -> str:
    """The simulated customization.log: what each customizer would have run, phase by phase.

    ``upto`` (a phase name) cuts it where a run in progress has got to; every later text extends the
    earlier ones, so a client following the log sees it grow.
    """
    lines = _log_lines(record, run)
    if upto is not None:
        last = PHASE_NAMES.index(upto)
        lines = [(phase, line) for phase, line in lines if phase in PHASE_NAMES[: last + 1]]
    return "".join(line + "\n" for _, line in lines)


def _log_lines(record: Mapping[str, Any], run: Mapping[str, Any]) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = [
        (
            "Queued",
            "azimagebuilder emulator: simulated build log; no VM was created and nothing was run.",
        ),
        ("Queued", f"template: {template_id(record)}"),
        ("Queued", f"run: {run['id']}  started: {format_nanos(from_epoch(run['start']))}"),
    ]
    failed = run.get("failedPhase")
    if failed == "Queued":
        lines.append(
            ("Queued", "PACKER ERR Build 'azure-arm' errored: the build was not started (simulated)")
        )
        return lines
    lines.append(("Building", "PACKER OUT ==> azure-arm: Creating build VM (simulated)"))
    if failed == "Building":
        lines.append(("Building", "PACKER ERR ==> azure-arm: the build VM could not be created (simulated)"))
        lines.append(("Building", "PACKER ERR Build 'azure-arm' errored: simulated failure"))
        return lines
    customizers = record["properties"].get("customize") or []
    for index, customizer in enumerate(customizers):
        kind = str(customizer.get("type", "")).lower()
        label = customizer.get("name", f"customize[{index}]")
        provisioner = {"windowsrestart": "windows-restart", "windowsupdate": "windows-update"}.get(kind, kind)
        lines.append(
            ("Customizing", f"PACKER OUT ==> azure-arm: Running provisioner: {provisioner} ({label})")
        )
        if customizer.get("scriptUri"):
            lines.append(
                ("Customizing", f"PACKER OUT     azure-arm: (not run) script {customizer['scriptUri']}")
            )
        for command in customizer.get("inline") or []:
            lines.append(("Customizing", f"PACKER OUT     azure-arm: (not run) {command}"))
        if customizer.get("sourceUri"):
            destination = customizer.get("destination", "")
            lines.append(
                (
                    "Customizing",
                    f"PACKER OUT     azure-arm: (not copied) {customizer['sourceUri']} -> {destination}",
                )
            )
        if kind == "windowsrestart":
            lines.append(("Customizing", "PACKER OUT     azure-arm: (not restarted) the build VM"))
    if run.get("timedOut"):
        lines.append(
            (
                "Customizing",
                "PACKER ERR ==> azure-arm: still customizing when buildTimeoutInMinutes passed",
            )
        )
        return lines
    if failed == "Customizing":
        label = customizers[-1].get("name", "customize") if customizers else "customize"
        lines.append(
            (
                "Customizing",
                f"PACKER ERR ==> azure-arm: Provisioning step had errors: {label}: exit status 1",
            )
        )
        lines.append(
            (
                "Customizing",
                "PACKER ERR Build 'azure-arm' errored: Script exited with non-zero exit status: 1",
            )
        )
        return lines
    for dist in record["properties"].get("distribute") or []:
        name = dist.get("runOutputName", "")
        lines.append(
            ("Distributing", f"PACKER OUT ==> azure-arm: Distributing {name} ({dist.get('type', '')})")
        )
        if name in run.get("failedOutputs", []):
            lines.append(
                ("Distributing", f"PACKER ERR ==> azure-arm: distribution of {name} failed (simulated)")
            )
    if failed == "Distributing":
        lines.append(
            ("Distributing", "PACKER ERR Build 'azure-arm' errored: distribution failed (simulated)")
        )
        return lines
    if run.get("final") == "Canceled":
        return lines
    lines.append(("Distributing", "PACKER OUT ==> azure-arm: Deleting build VM (simulated)"))
    lines.append(("Distributing", "PACKER OUT Build 'azure-arm' finished."))
    return lines


def current_phase(run: Mapping[str, Any], now: float) -> str:
    """The phase a run is in at ``now`` (seconds since the epoch)."""
    phase = PHASE_NAMES[0]
    for name, phase_start in run["phases"]:
        if now >= phase_start:
            phase = name
    return str(phase)


def last_run_status(run: Mapping[str, Any], now: float) -> dict[str, Any]:
    """``properties.lastRunStatus`` at ``now``: nine-digit timestamps, the zero date while running."""
    start = format_nanos(from_epoch(run["start"]), salt(run["id"], "start"))
    cancel = run.get("cancel")
    if now < run["end"]:
        if cancel is not None and now >= cancel["at"]:
            return {
                "startTime": start,
                "endTime": ZERO_DATE,
                "runState": "Canceling",
                "message": "Canceling image build",
            }
        sub_state = current_phase(run, now)
        return {
            "startTime": start,
            "endTime": ZERO_DATE,
            "runState": "Running",
            "runSubState": sub_state,
            "message": "",
        }
    status: dict[str, Any] = {
        "startTime": start,
        "endTime": format_nanos(from_epoch(run["end"]), salt(run["id"], "start")),
        "runState": run["final"],
    }
    if run["final"] != "Canceled":
        status["runSubState"] = run.get("failedPhase") or "Distributing"
    status["message"] = run.get("message", "")
    return status
