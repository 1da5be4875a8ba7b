"""Microsoft.VirtualMachineImages/imageTemplates on the emulator, as the real service answers.

What each answer copies from the real service (as observed in recorded Azure CLI sessions): PUT answers
201 with only ``Azure-AsyncOperation`` and echoes the template with
``provisioningState: Creating``, ``buildTimeoutInMinutes: 0`` and ``artifactTags: {}`` filled in (PowerShell
customizers get ``runElevated: false``, WindowsRestart ``restartCommand: ""``); once created, GET shows
``Succeeded`` and a ``sha256Checksum`` on every script and file customizer. Operation URLs are
``/subscriptions/{sub}/providers/Microsoft.VirtualMachineImages/locations/{region}/operations/{guid}``
and answer ``{"name": "<GUID>", "status", "startTime"[, "endTime"][, "error"]}``. POST run answers 202 with
an empty body and both ``Azure-AsyncOperation`` and ``Location``; ``lastRunStatus`` walks
Queued -> Building -> Customizing -> Distributing with nine-digit timestamps and the zero date as
``endTime`` until the run ends. DELETE answers 202 with both headers and
``x-ms-ratelimit-remaining-subscription-deletes`` and is refused while a run is going on.

Build scenarios (tag ``azimagebuilder.emulator.scenario`` on a template, or ``Emulator(scenario=...)``):

- ``succeed`` (default); ``fail`` or ``fail:<Phase>`` (Queued, Building, Customizing, Distributing): the run
  fails in that phase with ``PackerBuildFailed`` pointing at customization.log;
- ``partial`` or ``partial:<runOutputName>``: one distribution fails, the run ends PartiallySucceeded;
- ``timeout``: customizing hangs until ``buildTimeoutInMinutes`` (0: 240) passes, then the run fails;
- ``provision-fail`` or ``provision-fail:<provisioningErrorCode>``: the template itself fails to be created;
- ``linked-authorization-failed``: the PUT is refused with ARM's 403 ``LinkedAuthorizationFailed`` (header
  ``x-ms-failure-cause: gateway``), as when the caller may not assign the template's identity.

Example:
    >>> parse_scenario("fail:Customizing")
    Scenario(kind='fail', phase='Customizing', target=None)
"""

from __future__ import annotations

import builtins
import copy
import hashlib
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..._constants import PREVIEW_REGIONS, RESOURCE_PROVIDER
from .._artifacts import fake_vhd, staging_account_name
from .._clock import format_ticks, from_epoch, to_epoch
from .._router import ArmError, Request, Response
from .._state import StateStore
from ._base import Provider, RouteSpec
from ._builds import (
    PHASES,
    SCENARIO_TAG,
    Scenario,
    build_log,
    current_phase,
    last_run_status,
    parse_scenario,
    plan_run,
    scenario_of,
)
from ._common import resource_not_found
from ._shapes import (
    RUN_OUTPUT_TYPE,
    TRIGGER_TYPE,
    TYPE,
    at_least,
    canonical,
    library_problems,
    normalise,
    resolved_version,
    salt,
    sorted_keys,
    stable_uuid,
    strict_field_problems,
    template_id,
)

__all__ = ["PHASES", "SCENARIO_TAG", "Scenario", "parse_scenario", "register", "staging_resource_groups"]

_NAME = re.compile(r"^[A-Za-z0-9\-_.]{1,64}$")

_SECTION = "imagebuilder"


#: What a PATCH may change, per the service's ImageTemplateUpdateParameters: path -> first api-version.
PATCHABLE: dict[str, str] = {
    "tags": "2019-05-01-preview",
    "identity": "2019-05-01-preview",
    "properties.distribute": "2023-07-01",
    "properties.vmProfile": "2024-02-01",
}


def patchable_fields(api_version: str) -> frozenset[str]:
    """The paths a PATCH at ``api_version`` may change.

    Example:
        >>> sorted(patchable_fields("2023-07-01"))
        ['identity', 'properties.distribute', 'tags']
    """
    return frozenset(path for path, floor in PATCHABLE.items() if at_least(api_version, floor[:10]))


def merge_patch(target: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7386 JSON merge patch: objects merge key by key, ``null`` removes, anything else replaces.

    Example:
        >>> merge_patch({"vmSize": "a", "osDiskSizeGB": 64}, {"vmSize": "b"})
        {'vmSize': 'b', 'osDiskSizeGB': 64}
    """
    out = dict(target)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_patch(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


#: Consecutive failed builds after which the service deactivates a template's triggers.
TRIGGER_FAILURE_LIMIT = 3


def _is_version(text: str) -> bool:
    return re.fullmatch(r"\d+\.\d+\.\d+", text) is not None


def _bump(version: tuple[int, ...]) -> tuple[int, int, int]:
    return (version[0], version[1], version[2] + 1)


def _source_version(record: Mapping[str, Any]) -> str:
    """The version ``versioning: Source`` gives: the source image's own version number."""
    source = record["properties"].get("source") or {}
    kind = str(source.get("type", "")).lower()
    if kind == "sharedimageversion":
        image = str(source.get("imageVersionId") or "")
        name = image.rsplit("/versions/", 1)[1] if "/versions/" in image.lower() else "latest"
        return "1.0.0" if name.lower() == "latest" else name
    version = str(source.get("version") or "latest")
    if version.lower() == "latest":
        version = resolved_version(source)
    parts = [*version.split("."), "0", "0"][:3]
    return ".".join(str(int(p)) if p.isdigit() else "0" for p in parts)


_STAGING_GROUP = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<name>[-\w._()]{1,90})$", re.I)


def _staging_group(
    sub: str, properties: Mapping[str, Any], api_version: str
) -> tuple[str | None, str | None]:
    """``(id, name)`` of the ``stagingResourceGroup`` a template names (2022-02-14), or ``(None, None)``.

    Raises:
        ArmError: 400 when it is not a resource group id in the template's subscription.
    """
    value = properties.get("stagingResourceGroup")
    if not value or not at_least(api_version, "2022-02-14"):
        return None, None
    found = _STAGING_GROUP.match(str(value))
    if found is None or found.group("sub").lower() != sub.lower():
        raise ArmError(
            400,
            "InvalidParameter",
            f"The stagingResourceGroup '{value}' is not valid: give the id of a resource group in the "
            f"template's subscription, /subscriptions/{sub}/resourceGroups/<name> "
            "(provisioningErrorCode BadStagingResourceGroup).",
            target="properties.stagingResourceGroup",
        )
    return str(value), found.group("name")


def _key(subscription: str, group: str, name: str) -> str:
    return f"{subscription}/{group}/{name}".lower()


def _check_name(name: str, what: str = "imageTemplateName") -> None:
    if not _NAME.match(name):
        raise ArmError(
            400,
            "InvalidResourceName",
            f"The {what} '{name}' is invalid: use 1 to 64 letters, digits, '-', '_' or '.'.",
            target=what,
        )


# ---------------------------------------------------------------------------------------------------
# the provider
# ---------------------------------------------------------------------------------------------------
class ImageBuilderProvider(Provider):
    """Holds the routes' logic; all state lives in the shared store's ``imagebuilder`` section. The route
    table (``ROUTES``, below the class) says which api-versions serve each route."""

    namespace = RESOURCE_PROVIDER

    def api_versions(self) -> frozenset[str]:
        """The Image Builder api-versions the emulator serves (``Emulator(api_versions=...)``)."""
        return self.settings.api_versions

    # -- state access ------------------------------------------------------------------------------------
    def _data(self) -> dict[str, Any]:
        section = self.ctx.state.section(_SECTION)
        section.setdefault("templates", {})
        section.setdefault("operations", {})
        return section

    def _now(self) -> datetime:
        return self.ctx.clock.now()

    def _operation_url(self, request: Request, op: Mapping[str, Any]) -> str:
        return (
            f"{request.base_url}/subscriptions/{op['subscription']}/providers/{RESOURCE_PROVIDER}"
            f"/locations/{op['location']}/operations/{op['id']}?api-version={op['apiVersion']}"
        )

    def _new_operation(
        self,
        data: dict[str, Any],
        *,
        kind: str,
        record: Mapping[str, Any],
        start: float,
        end: float,
        status: str,
        api_version: str,
    ) -> dict[str, Any]:
        op_id = str(uuid.uuid4())
        op = {
            "id": op_id,
            "kind": kind,
            "subscription": record["subscription"],
            # The region in the operation URL is the template's location, lower case, without spaces.
            "location": str(record["location"]).replace(" ", "").lower(),
            "template": _key(record["subscription"], record["resourceGroup"], record["name"]),
            "start": start,
            "end": end,
            "status": status,
            "error": None,
            "apiVersion": api_version,
        }
        data["operations"][op_id] = op
        return op

    # -- settling: the lazy passage of time ------------------------------------------------------------
    def _settle(self, data: dict[str, Any], key: str) -> bool:
        """Apply what has happened by now to one template; returns whether anything changed."""
        record = data["templates"].get(key)
        if record is None:
            return False
        now = to_epoch(self._now())
        deleting = record.get("deleting")
        if deleting is not None and now >= deleting["end"]:
            del data["templates"][key]
            delete = getattr(self.ctx.artifacts, "delete_artifacts", None)  # optional for simple stores
            if delete is not None:
                delete(template_id(record), record["stagingResourceGroup"])
            return True
        changed = self._start_automatic_runs(data, record, now)
        run = record.get("run")
        if run is not None and not run.get("settled"):
            if now >= run["end"]:
                self._finish_run(data, record, run)
                return True
            phase = current_phase(run, now)
            if run.get("loggedPhase") != phase and run.get("cancel") is None:
                # The log grows while the build runs, as the real one does (a client may follow it).
                run["logUrl"] = self.ctx.artifacts.put_log(
                    record["stagingResourceGroup"], run["id"], build_log(record, run, upto=phase)
                )
                run["loggedPhase"] = phase
                return True
        return changed

    def _idle(self, record: Mapping[str, Any], now: float) -> bool:
        run = record.get("run")
        return (
            record.get("deleting") is None
            and now >= record["createEnd"]
            and record["createOutcome"] == "Succeeded"
            and (run is None or now >= run["end"])
        )

    def _start_automatic_runs(self, data: dict[str, Any], record: dict[str, Any], now: float) -> bool:
        """autoRun (2024-02-01): a build when the template is created. SourceImage triggers (2022-07-01):
        a build for each new version of the source gallery image that appeared while the trigger was on."""
        changed = False
        api_version = str(record.get("apiVersion") or "")
        auto = record["properties"].get("autoRun")
        if (
            at_least(api_version, "2024-02-01")
            and isinstance(auto, Mapping)
            and str(auto.get("state", "")).lower() == "enabled"
            and not record.get("autoRunStarted")
            and record["createOutcome"] == "Succeeded"
            and now >= record["createEnd"]
            and record.get("run") is None
        ):
            record["autoRunStarted"] = True
            self._start_run(data, record, record["createEnd"], started_by="autoRun")
            changed = True
        for trigger in (record.get("triggers") or {}).values():
            current = self._source_versions(record)
            new = [v for v in current if v not in trigger["seen"]]
            if not new:
                continue
            if trigger["status"]["code"] != "Healthy":
                trigger["seen"] = current  # a deactivated trigger lets new versions go by
                changed = True
                continue
            # Settle a finished run first, so its outcome counts before the new one starts.
            run = record.get("run")
            if run is not None and not run.get("settled") and now >= run["end"]:
                self._finish_run(data, record, run)
            if not self._idle(record, now):
                continue  # the build starts when the template is free
            trigger["seen"] = current
            self._start_run(data, record, now, started_by=f"trigger:{trigger['name']}")
            changed = True
        return changed

    def _start_run(
        self, data: dict[str, Any], record: dict[str, Any], start: float, *, started_by: str
    ) -> dict[str, Any]:
        """Plan a run starting at ``start`` (epoch seconds) and record it with its operation."""
        run = plan_run(
            record,
            from_epoch(start),
            build_duration=self.settings.build_duration,
            default_scenario=self.settings.scenario,
            started_by=started_by,
        )
        op = self._new_operation(
            data,
            kind="run",
            record=record,
            start=start,
            end=run["end"],
            status=run["opStatus"],
            api_version=str(record.get("apiVersion") or ""),
        )
        run["op"] = op["id"]
        record["run"] = run
        record["runOutputs"] = []
        return run

    def _settle_all(self, data: dict[str, Any]) -> bool:
        changed = False
        for key in list(data["templates"]):
            changed |= self._settle(data, key)
        return changed

    def _finish_run(self, data: dict[str, Any], record: dict[str, Any], run: dict[str, Any]) -> None:
        run["settled"] = True
        log_url = self.ctx.artifacts.put_log(
            record["stagingResourceGroup"], run["id"], build_log(record, run)
        )
        run["logUrl"] = log_url
        op = data["operations"].get(run["op"])
        outputs: list[dict[str, Any]] = []
        distributes = run.get("distributes", run["final"] in ("Succeeded", "PartiallySucceeded"))
        if distributes and run["final"] != "Canceled":
            for dist in record["properties"].get("distribute", []):
                outputs.append(self._run_output(data, record, run, dist))
        record["runOutputs"] = outputs
        self._count_outcome(record, run)
        if run["final"] == "Failed" and run.get("failedPhase") == "Validating":
            message = (
                "Validation failed: an inVMValidations step exited with a non-zero exit status. "
                f"Image Build log location: {log_url}. "
                + (
                    "continueDistributeOnFailure is true: the images were distributed all the same. "
                    if run.get("validationFailed")
                    else "No image was distributed. "
                )
                + (
                    "errorHandling.onValidationError is abort: the build VM is kept in the staging "
                    f"resource group '{record['stagingResourceGroup']}'. "
                    if run.get("buildVmKept")
                    else ""
                )
                + f"OperationId: {run['op']}."
            )
            run["message"] = message
            if op is not None:
                op["error"] = {"code": "ValidationFailed", "message": message}
        elif run["final"] == "Failed":
            if run.get("timedOut"):
                message = (
                    "Failed while waiting for packerizer: Timeout waiting for microservice to complete: "
                    "'context deadline exceeded'"
                )
                code = "BuildTimeout"
            else:
                message = (
                    "Failed while waiting for packerizer: Microservice has failed: Failed while processing "
                    "request: Error when executing packerizer: Packer build command has failed: "
                    "exit status 1. During the "
                    "image build, a failure has occurred, please review the build log to identify which "
                    "build/customization step failed. For more troubleshooting steps go to "
                    "https://aka.ms/azvmimagebuilderts. Image Build log location: "
                    f"{log_url} (customization.log in the staging resource group "
                    f"'{record['stagingResourceGroup']}' storage account, container packerlogs). "
                    f"OperationId: {run['op']}. Use this operationId when requesting support."
                )
                code = "PackerBuildFailed"
                if run.get("buildVmKept"):
                    message += (
                        " errorHandling.onCustomizerError is abort: the build VM is kept in the staging "
                        "resource group for debugging."
                    )
            run["message"] = message
            if op is not None:
                op["error"] = {"code": code, "message": message}
        elif run["final"] == "PartiallySucceeded":
            failed = ", ".join(run.get("failedOutputs", []))
            run["message"] = f"Distribution failed for run output(s): {failed}. See {log_url}."
        elif run["final"] == "Canceled":
            run["message"] = "Canceled image build"

    def _count_outcome(self, record: dict[str, Any], run: Mapping[str, Any]) -> None:
        """Consecutive failed builds; at three the SourceImage triggers are deactivated (release notes,
        September 2024), and a manual build that succeeds turns them back on."""
        final = str(run["final"])
        if final == "Failed":
            record["failedInARow"] = int(record.get("failedInARow") or 0) + 1
        elif final in ("Succeeded", "PartiallySucceeded"):
            record["failedInARow"] = 0
        triggers = record.get("triggers") or {}
        when = format_ticks(from_epoch(run["end"]))
        if record.get("failedInARow", 0) >= TRIGGER_FAILURE_LIMIT:
            for trigger in triggers.values():
                if trigger["status"]["code"] == "Healthy":
                    trigger["status"] = {
                        "code": "Disabled",
                        "message": (
                            f"The trigger was deactivated after {TRIGGER_FAILURE_LIMIT} consecutive failed "
                            "builds of the image template. Run a build manually; once one succeeds, the "
                            "trigger is reactivated."
                        ),
                        "time": when,
                    }
        elif final == "Succeeded" and run.get("startedBy") == "manual":
            for trigger in triggers.values():
                if trigger["status"]["code"] != "Healthy":
                    trigger["status"] = {"code": "Healthy", "message": "", "time": when}
                    trigger["seen"] = self._source_versions(record)

    def _run_output(
        self,
        data: dict[str, Any],
        record: Mapping[str, Any],
        run: Mapping[str, Any],
        dist: Mapping[str, Any],
    ) -> dict[str, Any]:
        name = str(dist.get("runOutputName", ""))
        out: dict[str, Any] = {"name": name, "provisioningState": "Succeeded"}
        if name in run.get("failedOutputs", []):
            out["provisioningState"] = "Failed"
            return out
        kind = str(dist.get("type", "")).lower()
        if kind == "managedimage":
            out["artifactId"] = dist.get("imageId", "")
        elif kind == "sharedimage":
            gallery_image = str(dist.get("galleryImageId", ""))
            if "/versions/" in gallery_image.lower():
                out["artifactId"] = gallery_image
            else:
                version = self._gallery_version(data, record, run, dist)
                out["artifactId"] = f"{gallery_image}/versions/{version}"
        elif kind == "vhd":
            tid = template_id(record)
            uri = dist.get("uri")
            if isinstance(uri, str) and uri and at_least(str(record.get("apiVersion") or ""), "2022-07-01"):
                out["artifactUri"] = uri  # the VHD is written where the distributor says (2022-07-01)
            else:
                out["artifactUri"] = self.ctx.artifacts.put_vhd(tid, name, fake_vhd(tid, name))
        return out

    def _gallery_version(
        self,
        data: dict[str, Any],
        record: Mapping[str, Any],
        run: Mapping[str, Any],
        dist: Mapping[str, Any],
    ) -> str:
        """The gallery image version a SharedImage distribution writes.

        Without ``versioning`` the service picks a number such as 0.24188.44119. ``versioning`` (2022-07-01):
        ``Latest`` is one patch above the newest version this emulator wrote to the image within ``major``
        (-1: the newest major; the first is ``<major>.0.0``, or 1.0.0); ``Source`` is the source image's
        version (a platform image's resolved version, or a gallery source's version name).
        """
        gallery_image = str(dist.get("galleryImageId", ""))
        written: list[str] = data.setdefault("galleryVersions", {}).setdefault(gallery_image.lower(), [])
        versioning = dist.get("versioning")
        scheme = ""
        if isinstance(versioning, Mapping) and at_least(str(record.get("apiVersion") or ""), "2022-07-01"):
            scheme = str(versioning.get("scheme", "")).lower()
        if scheme == "latest":
            major = versioning.get("major", -1) if isinstance(versioning, Mapping) else -1
            numbers = [tuple(int(p) for p in v.split(".")) for v in written if _is_version(v)]
            if isinstance(major, int) and major >= 0:
                numbers = [n for n in numbers if n[0] == major]
                version = f"{major}.0.0" if not numbers else "{}.{}.{}".format(*_bump(max(numbers)))
            else:
                version = "1.0.0" if not numbers else "{}.{}.{}".format(*_bump(max(numbers)))
        elif scheme == "source":
            version = _source_version(record)
        else:
            # The service picks the version number, e.g. 0.24188.44119.
            seed = salt(run["id"], str(dist.get("runOutputName", "")))
            version = f"0.{seed % 100000:05d}.{(seed // 100000) % 100000:05d}"
        written.append(version)
        return version

    # -- rendering -----------------------------------------------------------------------------------------
    def _provisioning_state(self, record: Mapping[str, Any], now: float) -> str:
        if record.get("deleting") is not None:
            return "Deleting"
        if now < record["createEnd"]:
            return "Creating"
        return str(record["createOutcome"])

    def _checksum(self, uri: str) -> str:
        fetch = self.settings.script_fetcher
        content = fetch(uri) if fetch is not None else uri.encode("utf-8")
        return hashlib.sha256(content).hexdigest()

    def _render(self, record: Mapping[str, Any], api_version: str, *, echo: bool = False) -> dict[str, Any]:
        """The template as GET answers it (``echo``: as the PUT answer, always still Creating)."""
        now = to_epoch(self._now())
        state = "Creating" if echo else self._provisioning_state(record, now)
        stored = copy.deepcopy(record["properties"])
        created = state in ("Succeeded", "Deleting") and record["createOutcome"] == "Succeeded"
        if created:
            for customizer in stored.get("customize") or []:
                uri = customizer.get("scriptUri") or customizer.get("sourceUri")
                if uri and not customizer.get("sha256Checksum"):
                    customizer["sha256Checksum"] = self._checksum(str(uri))
            for index, customizer in enumerate(stored.get("customize") or []):
                stored["customize"][index] = sorted_keys(customizer)
        run = record.get("run")
        source = stored.get("source") or {}
        if run is not None and str(source.get("version", "")).lower() == "latest":
            # 'latest' is resolved when a build takes place.
            resolved = resolved_version(source)
            if at_least(api_version, "2021-10-01"):
                source["exactVersion"] = resolved
            else:
                source["version"] = f"latest ({resolved})"
            stored["source"] = sorted_keys(source)
        props: dict[str, Any] = {}
        for name in ("source", "customize", "distribute"):
            if name in stored:
                props[name] = stored.pop(name)
        props["provisioningState"] = state
        if state == "Failed" and record.get("provisioningError"):
            props["provisioningError"] = record["provisioningError"]
        if run is not None:
            props["lastRunStatus"] = last_run_status(run, now)
        props["buildTimeoutInMinutes"] = stored.pop("buildTimeoutInMinutes", 0)
        if "vmProfile" in stored:
            props["vmProfile"] = stored.pop("vmProfile")
        props.update(stored)
        if at_least(api_version, "2022-02-14"):  # the staging group is shown from 2022-02-14
            props["exactStagingResourceGroup"] = record.get("stagingResourceGroupId") or (
                f"/subscriptions/{record['subscription']}/resourceGroups/{record['stagingResourceGroup']}"
            )
        body: dict[str, Any] = {"properties": props}
        identity = record.get("identity")
        if identity is not None:
            identity = copy.deepcopy(identity)
            if created:
                for ident_id, value in (identity.get("userAssignedIdentities") or {}).items():
                    if isinstance(value, dict):
                        value.setdefault("principalId", stable_uuid("principal", ident_id.lower()))
                        value.setdefault("clientId", stable_uuid("client", ident_id.lower()))
            body["identity"] = identity
        body["id"] = template_id(record)
        body["name"] = record["name"]
        body["type"] = TYPE
        body["location"] = record["location"]
        body["tags"] = record.get("tags") or {}
        if at_least(api_version, "2021-10-01"):  # TrackedResource with systemData from 2021-10-01
            created = format_ticks(from_epoch(record["createdAt"]))
            body["systemData"] = {
                "createdBy": "emulator@example.com",
                "createdByType": "User",
                "createdAt": created,
                "lastModifiedBy": "emulator@example.com",
                "lastModifiedByType": "User",
                "lastModifiedAt": created,
            }
        return body

    def _render_operation(self, op: Mapping[str, Any]) -> dict[str, Any]:
        now = to_epoch(self._now())
        seed = salt(op["id"])
        body: dict[str, Any] = {
            "name": str(op["id"]).upper(),
            "status": "InProgress" if now < op["end"] else op["status"],
            "startTime": format_ticks(from_epoch(op["start"]), seed),
        }
        if now >= op["end"]:
            body["endTime"] = format_ticks(from_epoch(op["end"]), seed)
            if op.get("error"):
                body["error"] = op["error"]
        return body

    # -- normalisation of a PUT body ----------------------------------------------------------------------
    def _validate(self, body: dict[str, Any], api_version: str) -> None:
        location = body.get("location")
        if not isinstance(location, str) or not location.strip():
            raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
        properties = body.get("properties")
        if not isinstance(properties, dict):
            raise ArmError(
                400,
                "InvalidParameter",
                "The 'properties' object of the image template is required.",
                target="properties",
            )
        if at_least(api_version, "2020-02-14") and not body.get("identity"):
            raise ArmError(
                400,
                "InvalidParameter",
                "An identity is required for image templates from api-version 2020-02-14 "
                f"(this request uses {api_version}).",
                target="identity",
            )
        if at_least(api_version, "2024-02-01"):
            wrong = strict_field_problems(body, api_version)
            if wrong:
                path, written, expected = wrong[0]
                hint = f"; the spec spells it '{expected}'" if expected else ""
                raise ArmError(
                    400,
                    "InvalidRequestContent",
                    f'Unmarshalling entity encountered error: unknown field "{written}" at {path}{hint}. '
                    f"From api-version 2024-02-01 every field must be spelled exactly as the spec does "
                    f"(this request uses {api_version}).",
                    target=path,
                )
        problems = library_problems(body, api_version)
        if any(p["code"] == "location-not-in-preview" for p in problems):
            # ARM itself refuses a region the resource type is not offered in, before the provider sees it.
            regions = ",".join(PREVIEW_REGIONS.values())
            raise ArmError(
                400,
                "LocationNotAvailableForResourceType",
                f"The provided location '{location}' is not available for resource type '{TYPE}'. "
                f"List of available regions for the resource type is '{regions.lower().replace(' ', '')}'.",
            )
        if problems:
            first = problems[0]
            raise ArmError(
                400,
                "InvalidParameter",
                f"The image template is invalid: {first['target'] or '<template>'}: {first['message']}"
                + (f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""),
                target=first["target"] or None,
                details=problems,
            )

    # -- handlers ----------------------------------------------------------------------------------------
    def put(self, request: Request, params: dict[str, str]) -> Response:
        sub, group, name = params["subscriptionId"], params["resourceGroupName"], params["imageTemplateName"]
        _check_name(name)
        body = request.json()
        if not isinstance(body, dict):
            raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
        api_version = request.api_version or ""
        key = _key(sub, group, name)
        store = self.ctx.state
        with store.locked():
            data = self._data()
            changed = self._settle(data, key)
            existing = data["templates"].get(key)
            if existing is not None:
                if changed:
                    store.save()
                return self._re_put(existing, body, api_version)
        self._validate(body, api_version)  # outside the lock: the library's checks may take a moment
        try:
            properties = normalise(body["properties"], api_version)
            scenario = scenario_of(body.get("tags"), self.settings.scenario)
        except ValueError as exc:  # an unknown scenario in the tag
            raise ArmError(400, "InvalidParameter", str(exc), target=f"tags.{SCENARIO_TAG}") from exc
        except (TypeError, AttributeError, KeyError) as exc:
            raise ArmError(
                400, "InvalidRequestContent", f"The image template could not be read: {exc}"
            ) from exc
        if scenario.kind == "linked-authorization-failed":
            raise _linked_authorization_failed(sub, group, name, body)
        staging_id, staging_name = _staging_group(sub, properties, api_version)
        now = to_epoch(self._now())
        with store.changing():
            data = self._data()
            if key in data["templates"]:  # created meanwhile by a concurrent PUT
                return self._re_put(data["templates"][key], body, api_version)
            record: dict[str, Any] = {
                "subscription": sub,
                "resourceGroup": group,
                "name": name,
                "location": body["location"],
                "tags": dict(body.get("tags") or {}),
                "identity": body.get("identity"),
                "properties": properties,
                "request": canonical(body),
                "apiVersion": api_version,
                "createdAt": now,
                "createEnd": now + self.settings.create_duration,
                "createOutcome": "Succeeded",
                "provisioningError": None,
                "stagingResourceGroup": staging_name or f"IT_{group}_{name}_{uuid.uuid4()}",
                "stagingResourceGroupId": staging_id,
                "deleting": None,
                "run": None,
                "runOutputs": [],
            }
            if record["identity"] is not None and isinstance(record["identity"], dict):
                uais = record["identity"].get("userAssignedIdentities")
                if isinstance(uais, dict):
                    record["identity"]["userAssignedIdentities"] = {k: {} for k in uais}
            op = self._new_operation(
                data,
                kind="create",
                record=record,
                start=now,
                end=record["createEnd"],
                status="Succeeded",
                api_version=api_version,
            )
            if scenario.kind == "provision-fail":
                code = scenario.target or "Other"
                message = f"Simulated provisioning failure ({code}) chosen by the emulator scenario."
                record["createOutcome"] = "Failed"
                record["provisioningError"] = {"provisioningErrorCode": code, "message": message}
                op["status"] = "Failed"
                op["error"] = {"code": code, "message": message}
            record["createOperation"] = op["id"]
            data["templates"][key] = record
            answer = self._render(record, api_version, echo=True)
            url = self._operation_url(request, op)
        return Response.json(
            201, answer, {"Azure-AsyncOperation": url, "x-ms-ratelimit-remaining-subscription-writes": "1199"}
        )

    def _re_put(self, record: dict[str, Any], body: dict[str, Any], api_version: str) -> Response:
        if record.get("deleting") is not None:
            raise ArmError(
                409,
                "Conflict",
                f"Image template '{record['name']}' is being deleted; wait for the deletion to finish.",
            )
        new, old = canonical(body), record["request"]
        same_definition = {k: v for k, v in new.items() if k != "tags"} == {
            k: v for k, v in old.items() if k != "tags"
        }
        if not same_definition:
            raise ArmError(
                409,
                "Conflict",
                "Update/Upgrade of image templates is currently not supported. Please change the name of the "
                "template you are submitting, or delete image template "
                f"'{record['name']}' and create it again.",
            )
        with self.ctx.state.changing():
            record["tags"] = dict(body.get("tags") or {})
            record["request"] = new
            answer = self._render(record, api_version)
        return Response.json(200, answer, {"x-ms-ratelimit-remaining-subscription-writes": "1199"})

    def _existing(self, params: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Settle and return (section, record) under the held lock, or raise 404."""
        data = self._data()
        key = _key(params["subscriptionId"], params["resourceGroupName"], params["imageTemplateName"])
        if self._settle(data, key):
            self.ctx.state.save()
        record = data["templates"].get(key)
        if record is None:
            raise resource_not_found(TYPE, params["imageTemplateName"], params["resourceGroupName"])
        return data, record

    def get(self, request: Request, params: dict[str, str]) -> Response:
        with self.ctx.state.locked():
            _, record = self._existing(params)
            return Response.json(200, self._render(record, request.api_version or ""))

    def patch(self, request: Request, params: dict[str, str]) -> Response:
        body = request.json()
        api_version = request.api_version or ""
        if not isinstance(body, dict):
            raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
        allowed = patchable_fields(api_version)
        asked = [key for key in body if key != "properties"]
        properties = body.get("properties")
        if "properties" in body:
            if not isinstance(properties, dict):
                raise ArmError(
                    400, "InvalidRequestContent", "'properties' must be an object.", target="properties"
                )
            asked += [f"properties.{key}" for key in properties]
        refused = [path for path in asked if path not in allowed]
        if refused:
            raise ArmError(
                400,
                "InvalidParameter",
                f"Only {', '.join(sorted(allowed))} can be updated on an image template at api-version "
                f"{api_version}; delete and re-create it to change {', '.join(refused)}.",
                target=refused[0],
            )
        if isinstance(body.get("tags"), dict):
            try:
                scenario_of(body["tags"], None)
            except ValueError as exc:
                raise ArmError(400, "InvalidParameter", str(exc), target=f"tags.{SCENARIO_TAG}") from exc
        tags = body.get("tags")
        if "tags" in body and not (isinstance(tags, dict) and all(isinstance(v, str) for v in tags.values())):
            raise ArmError(400, "InvalidParameter", "'tags' must be an object of strings.", target="tags")
        if "identity" in body and not isinstance(body["identity"], dict):
            raise ArmError(400, "InvalidParameter", "'identity' must be an object.", target="identity")
        changed_properties = dict(properties or {})
        if changed_properties:
            problems = library_problems(
                {
                    "location": "westus2",
                    "properties": {"source": {"type": "PlatformImage"}, **changed_properties},
                },
                api_version,
            )
            problems = [
                p
                for p in problems
                if p["target"].startswith(tuple(f"properties.{k}" for k in changed_properties))
            ]
            if problems:
                first = problems[0]
                raise ArmError(
                    400,
                    "InvalidParameter",
                    f"The image template update is invalid: {first['target']}: {first['message']}",
                    target=first["target"] or None,
                    details=problems,
                )
        with self.ctx.state.changing():
            _, record = self._existing(params)
            run = record.get("run")
            now = to_epoch(self._now())
            if changed_properties and run is not None and now < run["end"]:
                raise ArmError(
                    409,
                    "Conflict",
                    f"Image template '{record['name']}' cannot be updated while a build is running.",
                )
            if "tags" in body:
                record["tags"] = dict(body.get("tags") or {})
            if "identity" in body:
                identity = copy.deepcopy(body["identity"])
                uais = identity.get("userAssignedIdentities")
                if isinstance(uais, dict):
                    identity["userAssignedIdentities"] = {k: {} for k, v in uais.items() if v is not None}
                record["identity"] = identity
            if "vmProfile" in changed_properties and isinstance(changed_properties["vmProfile"], dict):
                # JSON merge patch: what the PATCH leaves out of vmProfile stays as it was.
                before = record["properties"].get("vmProfile")
                changed_properties["vmProfile"] = merge_patch(
                    before if isinstance(before, dict) else {}, changed_properties["vmProfile"]
                )
            if changed_properties:
                stored = normalise({**record["properties"], **changed_properties}, api_version)
                for key in changed_properties:
                    record["properties"][key] = stored[key]
            request_body = dict(record["request"])
            request_body["tags"] = record.get("tags") or {}
            request_body["identity"] = record.get("identity")
            request_body["properties"] = {**request_body.get("properties", {}), **changed_properties}
            record["request"] = canonical(request_body)
            return Response.json(200, self._render(record, api_version))

    def delete(self, request: Request, params: dict[str, str]) -> Response:
        api_version = request.api_version or ""
        with self.ctx.state.changing():
            data = self._data()
            key = _key(params["subscriptionId"], params["resourceGroupName"], params["imageTemplateName"])
            self._settle(data, key)
            record = data["templates"].get(key)
            if record is None:
                return Response.empty(204)
            now = to_epoch(self._now())
            run = record.get("run")
            if run is not None and now < run["end"]:
                raise ArmError(
                    409,
                    "Conflict",
                    f"Image template '{record['name']}' cannot be deleted while a build is running "
                    f"(runState {last_run_status(run, now)['runState']}). Wait for the run to finish "
                    "(or cancel it, from api-version 2020-02-14) and delete again.",
                )
            deleting = record.get("deleting")
            if deleting is None:
                end = now + self.settings.delete_duration
                op = self._new_operation(
                    data,
                    kind="delete",
                    record=record,
                    start=now,
                    end=end,
                    status="Succeeded",
                    api_version=api_version,
                )
                record["deleting"] = {"start": now, "end": end, "op": op["id"]}
            else:
                op = data["operations"][deleting["op"]]
            url = self._operation_url(request, op)
        headers = {
            "Azure-AsyncOperation": url,
            "Location": url,
            "x-ms-ratelimit-remaining-subscription-deletes": "14999",
        }
        return Response.empty(202, headers)

    def run(self, request: Request, params: dict[str, str]) -> Response:
        api_version = request.api_version or ""
        with self.ctx.state.changing():
            data, record = self._existing(params)
            now_dt = self._now()
            now = to_epoch(now_dt)
            state = self._provisioning_state(record, now)
            if state != "Succeeded":
                raise ArmError(
                    409,
                    "Conflict",
                    f"Image template '{record['name']}' cannot be run while its provisioningState "
                    f"is {state}.",
                )
            previous = record.get("run")
            if previous is not None and now < previous["end"]:
                raise ArmError(
                    409, "Conflict", f"Image template '{record['name']}' is already running a build."
                )
            try:
                run = self._start_run(data, record, now, started_by="manual")
            except ValueError as exc:
                raise ArmError(400, "InvalidParameter", str(exc), target=f"tags.{SCENARIO_TAG}") from exc
            op = data["operations"][run["op"]]
            op["apiVersion"] = api_version
            self._settle(data, _key(record["subscription"], record["resourceGroup"], record["name"]))
            url = self._operation_url(request, op)
        return Response.empty(
            202,
            {
                "Azure-AsyncOperation": url,
                "Location": url,
                "x-ms-ratelimit-remaining-subscription-writes": "1199",
            },
        )

    def cancel(self, request: Request, params: dict[str, str]) -> Response:
        api_version = request.api_version or ""
        with self.ctx.state.changing():
            data, record = self._existing(params)
            now = to_epoch(self._now())
            run = record.get("run")
            if run is None or now >= run["end"] or run.get("cancel") is not None:
                raise ArmError(
                    409, "Conflict", f"Image template '{record['name']}' has no build in progress to cancel."
                )
            end = now + self.settings.delete_duration
            run["cancel"] = {"at": now}
            run["end"] = end
            run["final"] = "Canceled"
            run["failedPhase"] = None
            op = data["operations"].get(run["op"])
            if op is not None:
                op["end"] = end
                op["status"] = "Canceled"
            self._settle(data, _key(record["subscription"], record["resourceGroup"], record["name"]))
            url = None
            if at_least(api_version, "2025-10-01"):
                cancel_op = self._new_operation(
                    data,
                    kind="cancel",
                    record=record,
                    start=now,
                    end=end,
                    status="Succeeded",
                    api_version=api_version,
                )
                url = self._operation_url(request, cancel_op)
        headers = {"x-ms-ratelimit-remaining-subscription-writes": "1199"}
        if url is None:
            # The recorded cancel (2020-02-14) answered 204 without a body or operation headers.
            return Response.empty(204, headers)
        # From 2025-10-01 the spec answers 202 with the operation to poll.
        return Response.empty(202, {**headers, "Azure-AsyncOperation": url, "Location": url})

    def _page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        token = request.query.get("$skipToken") or request.query.get("$skiptoken") or "0"
        try:
            offset = max(0, int(token))
        except ValueError as exc:
            raise ArmError(400, "InvalidSkipToken", f"The $skipToken '{token}' is invalid.") from exc
        size = self.settings.page_size
        body: dict[str, Any] = {"value": items[offset : offset + size]}
        if offset + size < len(items):
            body["nextLink"] = (
                f"{request.base_url}{request.path}?api-version={request.api_version}"
                f"&$skipToken={offset + size}"
            )
        return Response.json(200, body)

    def list(self, request: Request, params: dict[str, str]) -> Response:
        sub = params["subscriptionId"].lower()
        group = params.get("resourceGroupName")
        with self.ctx.state.locked():
            data = self._data()
            if self._settle_all(data):
                self.ctx.state.save()
            records = [
                r
                for r in data["templates"].values()
                if r["subscription"].lower() == sub
                and (group is None or r["resourceGroup"].lower() == group.lower())
            ]
            records.sort(key=lambda r: (r["createdAt"], r["name"].lower()))
            items = [self._render(r, request.api_version or "") for r in records]
        return self._page(request, items)

    def _render_output(self, record: Mapping[str, Any], out: Mapping[str, Any]) -> dict[str, Any]:
        props = {k: out[k] for k in ("artifactId", "artifactUri") if k in out}
        props["provisioningState"] = out["provisioningState"]
        return {
            "properties": props,
            "id": f"{template_id(record)}/runOutputs/{out['name']}",
            "name": out["name"],
            "type": RUN_OUTPUT_TYPE,
        }

    def list_outputs(self, request: Request, params: dict[str, str]) -> Response:
        with self.ctx.state.locked():
            _, record = self._existing(params)
            items = [self._render_output(record, out) for out in record.get("runOutputs", [])]
        return self._page(request, items)

    def get_output(self, request: Request, params: dict[str, str]) -> Response:
        name = params["runOutputName"]
        _check_name(name, "runOutputName")
        with self.ctx.state.locked():
            _, record = self._existing(params)
            for out in record.get("runOutputs", []):
                if out["name"].lower() == name.lower():
                    return Response.json(200, self._render_output(record, out))
        raise resource_not_found(
            f"{TYPE}/{params['imageTemplateName']}/runOutputs", name, params["resourceGroupName"]
        )

    def operation(self, request: Request, params: dict[str, str]) -> Response:
        op_id = params["operationId"].lower()
        with self.ctx.state.locked():
            data = self._data()
            op = data["operations"].get(op_id)
            if (
                op is None
                or op["subscription"].lower() != params["subscriptionId"].lower()
                or op["location"] != params["location"].replace(" ", "").lower()
            ):
                raise ArmError(
                    404,
                    "ResourceNotFound",
                    f"The operation '{params['operationId']}' was not found in location "
                    f"'{params['location']}'.",
                )
            if self._settle(data, op["template"]):
                self.ctx.state.save()
            return Response.json(200, self._render_operation(op))

    def operations_list(self, request: Request, params: dict[str, str]) -> Response:
        def entry(operation: str, resource: str, description: str) -> dict[str, Any]:
            return {
                "name": f"{RESOURCE_PROVIDER}/{operation}",
                "display": {
                    "provider": "Azure Virtual Machine Image Builder",
                    "operation": description,
                    "resource": resource,
                    "description": description,
                },
                "origin": "user,system",
                "properties": None,
            }

        value = [
            entry("imageTemplates/read", "Image Templates", "Get Image Template"),
            entry("imageTemplates/write", "Image Templates", "Create or update Image Template"),
            entry("imageTemplates/delete", "Image Templates", "Delete Image Template"),
            entry("imageTemplates/run/action", "Image Templates", "Run Image Template"),
            entry("imageTemplates/runOutputs/read", "Run Outputs", "Get Run Output"),
            entry("locations/operations/read", "Operations", "Get Operation Status"),
        ]
        api_version = request.api_version or ""
        if at_least(api_version, "2020-02-14"):
            value.append(entry("imageTemplates/cancel/action", "Image Templates", "Cancel Image Build"))
        if at_least(api_version, "2022-07-01"):
            value += [
                entry("imageTemplates/triggers/read", "Triggers", "Get Trigger"),
                entry("imageTemplates/triggers/write", "Triggers", "Create or update Trigger"),
                entry("imageTemplates/triggers/delete", "Triggers", "Delete Trigger"),
            ]
        if at_least(api_version, "2020-02-14"):
            for item in value:
                item["isDataAction"] = False
        return Response.json(200, {"value": value})

    # -- triggers (from 2022-07-01) ----------------------------------------------------------------------
    def _render_trigger(self, record: Mapping[str, Any], trigger: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": f"{template_id(record)}/triggers/{trigger['name']}",
            "name": trigger["name"],
            "type": TRIGGER_TYPE,
            "properties": {
                "kind": trigger["kind"],
                "status": dict(trigger["status"]),
                "provisioningState": "Succeeded",
            },
        }

    def _trigger_of(self, record: Mapping[str, Any], params: Mapping[str, str]) -> dict[str, Any]:
        name = params["triggerName"]
        _check_name(name, "triggerName")
        trigger = (record.get("triggers") or {}).get(name.lower())
        if trigger is None:
            raise resource_not_found(
                f"{TYPE}/{params['imageTemplateName']}/triggers", name, params["resourceGroupName"]
            )
        result: dict[str, Any] = trigger
        return result

    def put_trigger(self, request: Request, params: dict[str, str]) -> Response:
        name = params["triggerName"]
        _check_name(name, "triggerName")
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
            raise ArmError(
                400,
                "InvalidRequestContent",
                "The request content must be a JSON object with 'properties' holding the trigger's 'kind'.",
                target="properties",
            )
        kind = body["properties"].get("kind")
        if not isinstance(kind, str) or kind.lower() != "sourceimage":
            raise ArmError(
                400,
                "InvalidParameter",
                f"The trigger kind '{kind}' is not supported; the supported kind is 'SourceImage'.",
                target="properties.kind",
            )
        with self.ctx.state.changing():
            _, record = self._existing(params)
            source = record["properties"].get("source") or {}
            if str(source.get("type", "")).lower() != "sharedimageversion":
                raise ArmError(
                    400,
                    "InvalidParameter",
                    "A SourceImage trigger needs an image template whose source is a SharedImageVersion "
                    f"(a gallery image); this template's source is '{source.get('type')}'.",
                    target="properties.kind",
                )
            triggers = record.setdefault("triggers", {})
            existing = triggers.get(name.lower())
            now = self._now()
            if existing is None:
                existing = {
                    "name": name,
                    "kind": "SourceImage",
                    "createdAt": to_epoch(now),
                    "status": {"code": "Healthy", "message": "", "time": format_ticks(now)},
                    "seen": self._source_versions(record),
                }
                triggers[name.lower()] = existing
                status = 201
            else:
                status = 200
            answer = self._render_trigger(record, existing)
        return Response.json(status, answer, {"x-ms-ratelimit-remaining-subscription-writes": "1199"})

    def get_trigger(self, request: Request, params: dict[str, str]) -> Response:
        with self.ctx.state.locked():
            _, record = self._existing(params)
            return Response.json(200, self._render_trigger(record, self._trigger_of(record, params)))

    def list_triggers(self, request: Request, params: dict[str, str]) -> Response:
        with self.ctx.state.locked():
            _, record = self._existing(params)
            triggers = sorted((record.get("triggers") or {}).values(), key=lambda t: t["createdAt"])
            items = [self._render_trigger(record, t) for t in triggers]
        return self._page(request, items)

    def delete_trigger(self, request: Request, params: dict[str, str]) -> Response:
        name = params["triggerName"]
        _check_name(name, "triggerName")
        with self.ctx.state.changing():
            data, record = self._existing(params)
            triggers = record.get("triggers") or {}
            if name.lower() not in triggers:
                return Response.empty(204)
            del triggers[name.lower()]
            now = to_epoch(self._now())
            op = self._new_operation(
                data,
                kind="deleteTrigger",
                record=record,
                start=now,
                end=now,
                status="Succeeded",
                api_version=request.api_version or "",
            )
            url = self._operation_url(request, op)
        # 2022-07-01 and later: final-state-via location.
        return Response.empty(
            202, {"Location": url, "x-ms-ratelimit-remaining-subscription-deletes": "14999"}
        )

    def _source_versions(self, record: Mapping[str, Any]) -> builtins.list[str]:
        """Ids (lower case) of the versions of the template's source gallery image in the Compute state."""
        source = record["properties"].get("source") or {}
        image = str(source.get("imageVersionId") or source.get("galleryImageId") or "").lower()
        if "/versions/" in image:
            image = image.split("/versions/")[0]
        if not image:
            return []
        versions = self.ctx.state.section("compute").get("versions") or {}
        prefix = image.rstrip("/") + "/versions/"
        return sorted(
            str(v.get("id", "")).lower()
            for v in versions.values()
            if isinstance(v, Mapping) and str(v.get("id", "")).lower().startswith(prefix)
        )


def _linked_authorization_failed(sub: str, group: str, name: str, body: Mapping[str, Any]) -> ArmError:
    """ARM's 403 when the caller may not assign the template's identity (2020-02-14 template-file session)."""
    identity = body.get("identity")
    assigned = identity.get("userAssignedIdentities") if isinstance(identity, Mapping) else None
    identities = [str(k) for k in assigned] if isinstance(assigned, Mapping) else []
    linked = identities[0].split("/")[2] if identities and identities[0].count("/") > 2 else sub
    scope = f"/subscriptions/{sub}/resourceGroups/{group}/providers/{TYPE}/{name}"
    tenant = stable_uuid("tenant", sub.lower())
    return ArmError(
        403,
        "LinkedAuthorizationFailed",
        "The client has permission to perform action "
        "'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on scope "
        f"'{scope}', however the current tenant '{tenant}' is not authorized to access linked subscription "
        f"'{linked}'.",
        headers={"x-ms-failure-cause": "gateway"},
    )


def _managed_resource_tags(record: Mapping[str, Any]) -> dict[str, str]:
    """``managedResourceTags`` (2024-02-01): the tags Image Builder puts on what it creates for a build."""
    if not at_least(str(record.get("apiVersion") or ""), "2024-02-01"):
        return {}
    tags = record["properties"].get("managedResourceTags")
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, Mapping) else {}


def staging_resource_groups(state: StateStore, subscription_id: str) -> list[dict[str, Any]]:
    """The staging resource groups of a subscription's templates, for a Microsoft.Resources provider.

    Each is ``{"name": "IT_<rg>_<name>_<guid>", "location", "tags", "storageAccount"}`` with the tags Image
    Builder puts on the group (``createdBy: AzureVMImageBuilder``, ``imageTemplateName``,
    ``imageTemplateResourceGroupName``, and from 2024-02-01 the template's ``managedResourceTags``) and the
    name of the storage account holding ``packerlogs``. A template's ``stagingResourceGroup`` (2022-02-14)
    names the group instead of ``IT_...``.

    Example:
        >>> staging_resource_groups(StateStore(), "00000000-0000-0000-0000-000000000000")
        []
    """
    groups: list[dict[str, Any]] = []
    with state.locked():
        for record in state.section(_SECTION).get("templates", {}).values():
            if record["subscription"].lower() != subscription_id.lower():
                continue
            groups.append(
                {
                    "name": record["stagingResourceGroup"],
                    "location": str(record["location"]).replace(" ", "").lower(),
                    "tags": {
                        **_managed_resource_tags(record),
                        "createdBy": "AzureVMImageBuilder",
                        "imageTemplateName": record["name"],
                        "imageTemplateResourceGroupName": record["resourceGroup"],
                    },
                    "storageAccount": staging_account_name(record["stagingResourceGroup"]),
                }
            )
    return groups


#: Path of a template, and of the subscription's templates.
_GROUP = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
_TEMPLATE = f"{_GROUP}/providers/{RESOURCE_PROVIDER}/imageTemplates/{{imageTemplateName}}"
_SUBSCRIPTION = f"/subscriptions/{{subscriptionId}}/providers/{RESOURCE_PROVIDER}"

ImageBuilderProvider.ROUTES = (
    RouteSpec("PUT", _TEMPLATE, "imageTemplates.put", "put"),
    RouteSpec("GET", _TEMPLATE, "imageTemplates.get", "get"),
    RouteSpec("PATCH", _TEMPLATE, "imageTemplates.patch", "patch"),
    RouteSpec("DELETE", _TEMPLATE, "imageTemplates.delete", "delete"),
    RouteSpec("POST", f"{_TEMPLATE}/run", "imageTemplates.run", "run"),
    RouteSpec("POST", f"{_TEMPLATE}/cancel", "imageTemplates.cancel", "cancel", since="2020-02-14"),
    RouteSpec("GET", f"{_TEMPLATE}/runOutputs", "runOutputs.list", "list_outputs"),
    RouteSpec("GET", f"{_TEMPLATE}/runOutputs/{{runOutputName}}", "runOutputs.get", "get_output"),
    RouteSpec(
        "PUT", f"{_TEMPLATE}/triggers/{{triggerName}}", "triggers.put", "put_trigger", since="2022-07-01"
    ),
    RouteSpec(
        "GET", f"{_TEMPLATE}/triggers/{{triggerName}}", "triggers.get", "get_trigger", since="2022-07-01"
    ),
    RouteSpec(
        "DELETE",
        f"{_TEMPLATE}/triggers/{{triggerName}}",
        "triggers.delete",
        "delete_trigger",
        since="2022-07-01",
    ),
    RouteSpec("GET", f"{_TEMPLATE}/triggers", "triggers.list", "list_triggers", since="2022-07-01"),
    RouteSpec("GET", f"{_SUBSCRIPTION}/imageTemplates", "imageTemplates.list", "list"),
    RouteSpec(
        "GET",
        f"{_GROUP}/providers/{RESOURCE_PROVIDER}/imageTemplates",
        "imageTemplates.listByResourceGroup",
        "list",
    ),
    RouteSpec(
        "GET",
        f"{_SUBSCRIPTION}/locations/{{location}}/operations/{{operationId}}",
        "operations.get",
        "operation",
    ),
    RouteSpec(
        "GET",
        f"/providers/{RESOURCE_PROVIDER}/operations",
        "operations.list",
        "operations_list",
        namespace=None,
    ),
)

register = ImageBuilderProvider.registrar()
