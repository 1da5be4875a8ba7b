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
    "ALL_PHASES",
    "DEFAULT_TIMEOUT_MINUTES",
    "PHASES",
    "PHASE_NAMES",
    "SCENARIO_TAG",
    "Scenario",
    "build_log",
    "current_phase",
    "last_run_status",
    "parse_scenario",
    "phases_of",
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

#: Every phase a run can have, in order, with its share: ``Optimizing`` when ``optimize`` asks for it
#: (2022-07-01), ``Validating`` when ``validate`` has validations (2022-02-14). Shares are scaled so a run
#: takes ``build_duration`` whatever phases it has.
ALL_PHASES: tuple[tuple[str, float], ...] = (
    ("Queued", 0.1),
    ("Building", 0.3),
    ("Customizing", 0.4),
    ("Optimizing", 0.1),
    ("Validating", 0.1),
    ("Distributing", 0.2),
)
ALL_PHASE_NAMES = tuple(name for name, _ in ALL_PHASES)

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
        for name in ALL_PHASE_NAMES:
            if name.lower() == phase.lower():
                return Scenario("fail", phase=name)
        raise ValueError(f"scenario {text!r}: the phase must be one of {', '.join(ALL_PHASE_NAMES)}")
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


def _at_least(api_version: str, floor: str) -> bool:
    return api_version[:10] >= floor


def _enabled(value: Any) -> bool:
    return isinstance(value, Mapping) and str(value.get("state", "")).lower() == "enabled"


def phases_of(record: Mapping[str, Any]) -> list[str]:
    """The phases a build of this template goes through, by what its api-version lets it ask for.

    Example:
        >>> optimize = {"vmBoot": {"state": "Enabled"}}
        >>> validate = {"inVMValidations": [{"type": "Shell", "inline": ["true"]}]}
        >>> record = {"apiVersion": "2022-07-01", "properties": {"optimize": optimize, "validate": validate}}
        >>> phases_of(record)[2:]
        ['Customizing', 'Optimizing', 'Validating', 'Distributing']
    """
    api_version = str(record.get("apiVersion") or "")
    props = record.get("properties") or {}
    validate = props.get("validate") if _at_least(api_version, "2022-02-14") else None
    validate = validate if isinstance(validate, Mapping) else {}
    if validate.get("sourceValidationOnly") is True:
        return ["Queued", "Building", "Validating"]  # the source itself is validated: no build, no images
    names = ["Queued", "Building", "Customizing"]
    optimize = props.get("optimize") if _at_least(api_version, "2022-07-01") else None
    if isinstance(optimize, Mapping) and (
        _enabled(optimize.get("vmBoot")) or _enabled(optimize.get("workload"))
    ):
        names.append("Optimizing")
    if validate.get("inVMValidations"):
        names.append("Validating")
    names.append("Distributing")
    return names


def _on_error(record: Mapping[str, Any], phase: str) -> str:
    """What ``errorHandling`` (2023-07-01) says to do when ``phase`` fails: ``cleanup`` or ``abort``."""
    if not _at_least(str(record.get("apiVersion") or ""), "2023-07-01"):
        return "cleanup"
    handling = (record.get("properties") or {}).get("errorHandling")
    if not isinstance(handling, Mapping):
        return "cleanup"
    key = {"Customizing": "onCustomizerError", "Validating": "onValidationError"}.get(phase)
    value = handling.get(key) if key else None
    return "abort" if str(value or "").lower() == "abort" else "cleanup"


def plan_run(
    record: Mapping[str, Any],
    now_dt: datetime,
    *,
    build_duration: float,
    default_scenario: str | None,
    started_by: str = "manual",
) -> dict[str, Any]:
    """Plan a run from its start: phase times, end, outcome (all a function of the scenario).

    Raises:
        ValueError: the template's scenario tag is not a scenario, or names a phase its builds lack.
    """
    scenario = scenario_of(record.get("tags"), default_scenario)
    duration = build_duration
    t0 = to_epoch(now_dt)
    names = phases_of(record)
    shares = dict(ALL_PHASES)
    total = sum(shares[name] for name in names)
    phases: list[list[Any]] = []
    bounds: dict[str, tuple[float, float]] = {}
    cursor = t0
    for name in names:
        length = duration * shares[name] / total
        phases.append([name, cursor])
        bounds[name] = (cursor, cursor + length)
        cursor += length
    props = record.get("properties") or {}
    validate: Mapping[str, Any] = props["validate"] if isinstance(props.get("validate"), Mapping) else {}
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
        "startedBy": started_by,
        "distributes": "Distributing" in names,
        "buildVmKept": False,
    }
    if scenario.kind == "fail":
        assert scenario.phase is not None
        if scenario.phase not in bounds:
            raise ValueError(
                f"scenario 'fail:{scenario.phase}': this template's builds have no {scenario.phase} phase "
                f"(they go through {', '.join(names)})"
            )
        run["final"] = run["opStatus"] = "Failed"
        run["failedPhase"] = scenario.phase
        run["buildVmKept"] = _on_error(record, scenario.phase) == "abort"
        if (
            scenario.phase == "Validating"
            and validate.get("continueDistributeOnFailure") is True
            and ("Distributing" in names)
        ):
            # Distributed all the same; the run is still reported as failed (validationFailed).
            run["validationFailed"] = True
        else:
            run["end"] = bounds[scenario.phase][1]
            run["phases"] = [p for p in phases if p[1] <= bounds[scenario.phase][0]]
            run["distributes"] = False
    elif scenario.kind == "partial":
        names_out = [str(d.get("runOutputName")) for d in props.get("distribute", [])]
        target = scenario.target if scenario.target in names_out else (names_out[-1] if names_out else None)
        run["final"] = "PartiallySucceeded"
        run["failedOutputs"] = [target] if target else []
    elif scenario.kind == "timeout":
        minutes = props.get("buildTimeoutInMinutes") or DEFAULT_TIMEOUT_MINUTES
        deadline = t0 + float(minutes) * 60
        customizing_start = bounds.get("Customizing", bounds[names[-1]])[0]
        run["end"] = max(deadline, t0)
        run["phases"] = [p for p in phases if p[1] <= max(customizing_start, t0) and p[1] <= deadline]
        run["final"] = run["opStatus"] = "Failed"
        run["failedPhase"] = run["phases"][-1][0]
        run["timedOut"] = True
        run["distributes"] = False
    return run


def build_log(record: Mapping[str, Any], run: Mapping[str, Any], upto: str | None = None) -> str:
    """The simulated customization.log: what each customizer would have run, phase by phase.

    ``upto`` (a phase name) cuts it where a run in progress has got to; every later text extends the
    earlier ones, so a client following the log sees it grow.
    """
    lines = _log_lines(record, run)
    if upto is not None:
        last = ALL_PHASE_NAMES.index(upto)
        lines = [(phase, line) for phase, line in lines if phase in ALL_PHASE_NAMES[: last + 1]]
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
    names = [p[0] for p in run["phases"]] if failed else phases_of(record)
    customizers = record["properties"].get("customize") or []
    if "Customizing" not in phases_of(record):
        customizers = []  # sourceValidationOnly: the source is validated as it is
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
        lines += _kept_vm_lines(run, "Customizing")
        return lines
    if "Optimizing" in names:
        lines.append(("Optimizing", "PACKER OUT ==> azure-arm: Optimizing the image (vmBoot, simulated)"))
        if failed == "Optimizing":
            lines.append(
                ("Optimizing", "PACKER ERR Build 'azure-arm' errored: optimization failed (simulated)")
            )
            return lines
    if "Validating" in names:
        validate = record["properties"].get("validate") or {}
        for index, validator in enumerate(validate.get("inVMValidations") or []):
            label = (
                validator.get("name", f"inVMValidations[{index}]")
                if isinstance(validator, Mapping)
                else index
            )
            lines.append(("Validating", f"PACKER OUT ==> azure-arm: Running validator: {label} (not run)"))
        if validate.get("sourceValidationOnly") is True:
            lines.append(("Validating", "PACKER OUT ==> azure-arm: validating the source image only"))
        if failed == "Validating":
            lines.append(("Validating", "PACKER ERR ==> azure-arm: validation failed (simulated)"))
            lines += _kept_vm_lines(run, "Validating")
            if not run.get("validationFailed"):
                return lines
            lines.append(
                (
                    "Validating",
                    "PACKER OUT ==> azure-arm: continueDistributeOnFailure: distributing all the same",
                )
            )
    if "Distributing" not in names:
        lines.append(("Validating", "PACKER OUT Build 'azure-arm' finished (nothing to distribute)."))
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


def _kept_vm_lines(run: Mapping[str, Any], phase: str) -> list[tuple[str, str]]:
    if run.get("buildVmKept"):
        return [
            (phase, "PACKER OUT ==> azure-arm: errorHandling is abort: the build VM is kept for debugging")
        ]
    return []  # cleanup (the default): the log ends with the error, as before errorHandling existed


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
        status["runSubState"] = run.get("failedPhase") or run["phases"][-1][0]
    status["message"] = run.get("message", "")
    return status
