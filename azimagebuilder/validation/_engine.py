"""The document's rules, run over the JSON form of a template.

``analyse(document, api_version=...)`` returns the normalised document (property names in their canonical
spelling, regions as short names, type names spelled the REST API's or the document's way) and every problem
found. Both ``validate`` and ``load_template`` use it, so they always agree.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, TypeGuard

from .. import _codes as C
from .._constants import KNOWN_API_VERSIONS, PREVIEW_REGIONS, RESOURCE_TYPE
from .._expressions import is_arm_expression
from .._problems import Problem, Severity
from ._schema import (
    CUSTOMIZERS,
    DISTRIBUTORS,
    IDENTITY,
    PROPERTIES,
    SOURCES,
    TEMPLATE,
    V2020,
    V2022_07,
    VM_PROFILE,
    VNET_CONFIG,
    FieldSpec,
    is_preview,
    spelled,
    version_index,
)

# <region>, <name>, "<name" (unclosed, as in the document's tags), <imageDefinitionName/versions/...
_ANGLE = re.compile(r"<[A-Za-z][^<>\"]*>|^\s*<[A-Za-z][\w ]*$")
_ANGLE_WHOLE = re.compile(r"^\s*<[^<>]+>\s*$")
_CURLY = re.compile(r"\{[A-Za-z][A-Za-z0-9_]*\}")
_REGION = re.compile(r"^[a-z0-9]+$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_RUN_OUTPUT_NAME = re.compile(r"^[A-Za-z0-9-_.]{1,64}$")
_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")
_RG = r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/"
RESOURCE_IDS: dict[str, tuple[re.Pattern[str], str]] = {
    "image": (
        re.compile(_RG + r"Microsoft\.Compute/images/[^/]+$", re.I),
        "/subscriptions/<subscriptionId>/resourceGroups/<resourceGroup>/providers/Microsoft.Compute/images/"
        "<imageName>",
    ),
    "imageVersion": (
        re.compile(_RG + r"Microsoft\.Compute/galleries/[^/]+/images/[^/]+/versions/[^/]+$", re.I),
        "/subscriptions/<subscriptionId>/resourceGroups/<resourceGroup>/providers/Microsoft.Compute/galleries/"
        "<gallery>/images/<imageDefinition>/versions/<version>",
    ),
    "galleryImage": (
        re.compile(_RG + r"Microsoft\.Compute/galleries/[^/]+/images/[^/]+$", re.I),
        "/subscriptions/<subscriptionId>/resourceGroups/<resourceGroup>/providers/Microsoft.Compute/galleries/"
        "<gallery>/images/<imageDefinition>",
    ),
    "identity": (
        re.compile(_RG + r"Microsoft\.ManagedIdentity/userAssignedIdentities/[^/]+$", re.I),
        "/subscriptions/<subscriptionId>/resourceGroups/<resourceGroup>/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/<identityName>",
    ),
    "subnet": (
        re.compile(_RG + r"Microsoft\.Network/virtualNetworks/[^/]+/subnets/[^/]+$", re.I),
        "/subscriptions/<subscriptionId>/resourceGroups/<resourceGroup>/providers/Microsoft.Network/"
        "virtualNetworks/<vnet>/subnets/<subnet>",
    ),
}
# Fields holding commands: "<" is shell syntax there, so only a value that is all placeholder counts.
_COMMAND_FIELDS = frozenset({"inline", "restartCommand", "restartCheckCommand", "searchCriteria", "filters"})
_RESOURCE_ID_FIELDS = frozenset({"imageId", "imageVersionId", "galleryImageId", "subnetId"})
_WINDOWS_ONLY = frozenset({"WindowsRestart", "WindowsUpdate"})
_LINUX_PUBLISHERS = frozenset(
    {
        "canonical",
        "redhat",
        "openlogic",
        "suse",
        "debian",
        "credativ",
        "oracle",
        "coreos",
        "kinvolk",
        "almalinux",
        "resf",
        "erockyenterprisesoftwarefoundationinc1653071250513",
        "microsoftcblmariner",
    }
)
_LINUX_OFFER_WORDS = ("ubuntu", "rhel", "centos", "sles", "debian", "linux", "oracle", "alma", "rocky")

ISO_MESSAGE = (
    "ISO sources are deprecated: since 31 March 2020 image templates with RHEL ISO sources are no longer "
    "accepted by the resource provider, and since 30 April 2020 they are no longer processed. Use a RHEL "
    "Bring-Your-Own-Subscription image instead (a PlatformImage source, publisher RedHat)"
)


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _field_name(path: str) -> str:
    """The last name in a JSON path (``properties.customize[0].name`` -> ``customize[0].name``)."""
    return path.rsplit(".", 1)[-1] if path else "the template"


def suggest(key: str, candidates: list[str]) -> str | None:
    """The known field ``key`` is most likely a misspelling of, if any."""
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
    if close:
        return lowered[close[0]]
    if len(key) >= 3:
        for low, cand in lowered.items():
            if key.lower() in low or (len(low) >= 4 and low in key.lower()):
                return cand
    return None


def region_short_name(value: str) -> str:
    """``"West US 2"`` -> ``"westus2"`` (regions are written as short names)."""
    return value.replace(" ", "").lower()


class _Analyser:
    def __init__(self, api_version: str) -> None:
        self.api_version = api_version
        self.problems: list[Problem] = []
        self.os: str | None = None  # "windows" / "linux" when the source tells

    # -- reporting --------------------------------------------------------------------------------------
    def add(self, path: str, code: str, message: str, severity: Severity = "error") -> None:
        self.problems.append(Problem(path, code, message, severity))

    def scan(self, value: str, path: str, field: str = "") -> str:
        """Classify a string as ``"expr"`` (ARM expression), ``"placeholder"`` (both reported) or ``"ok"``."""
        if is_arm_expression(value):
            self.add(
                path,
                C.ARM_EXPRESSION,
                f"{value} is an ARM template expression: evaluated by Azure Resource Manager at deployment, "
                "so it is not checked here (give the values it uses with --parameters / --set or "
                "parameters= to check what it stands for)",
                "warning",
            )
            return "expr"
        pattern = _ANGLE_WHOLE if field in _COMMAND_FIELDS else _ANGLE
        matches = [m.group(0).strip() for m in pattern.finditer(value)]
        if not matches and field in _RESOURCE_ID_FIELDS:
            matches = [m.group(0) for m in _CURLY.finditer(value)]
        if matches:
            names = ", ".join(repr(m) for m in dict.fromkeys(matches))
            which = "placeholder" if len(set(matches)) == 1 else "placeholders"
            self.add(
                path,
                C.PLACEHOLDER,
                f"`{_field_name(path)}` still holds the {which} {names} from the template document: replace "
                "it with a real value (or fill it in: --set NAME=VALUE, parameters={'NAME': ...})",
            )
            return "placeholder"
        return "ok"

    def scan_any(self, value: Any, path: str) -> None:
        """Look for placeholders and ARM expressions anywhere in a value that is otherwise not checked."""
        if isinstance(value, str):
            self.scan(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and _ANGLE.search(key):
                    self.scan(key, _join(path, key))
                self.scan_any(item, _join(path, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.scan_any(item, _join(path, index))

    # -- shapes -------------------------------------------------------------------------------------------
    def normalise(self, obj: dict[str, Any], fields: dict[str, FieldSpec], path: str) -> dict[str, Any]:
        """Canonical key spelling, unknown and version-mismatched fields reported; values checked by kind."""
        lowered = {name.lower(): name for name in fields}
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if not isinstance(key, str):  # pragma: no cover - JSON keys are strings
                continue
            name = lowered.get(key.lower())
            here = _join(path, name or key)
            if name is None:
                hint = suggest(key, list(fields))
                tip = f": did you mean `{hint}`?" if hint else ""
                self.add(
                    here,
                    C.UNKNOWN_FIELD,
                    f"unknown field `{key}` (kept as written, but the service ignores or refuses it){tip}",
                    "warning",
                )
                self.scan_any(value, here)
                out[key] = value
                continue
            spec = fields[name]
            self.check_version(spec, name, here)
            out[name] = self.check_kind(value, spec, here, name)
        return out

    def check_version(self, spec: FieldSpec, name: str, path: str) -> None:
        current = version_index(self.api_version)
        if spec.since is not None and current < version_index(spec.since) and not spec.read_only:
            self.add(
                path,
                C.FIELD_NEWER_THAN_API_VERSION,
                f"`{name}` arrived in api-version {spec.since}; at {self.api_version} the service does not "
                f"know it: declare apiVersion {spec.since} or later, or remove it",
                "warning",
            )
        if spec.until is not None and current >= version_index(spec.until):
            self.add(
                path,
                C.FIELD_REMOVED_IN_API_VERSION,
                f"`{name}` belongs to api-versions before {spec.until}; {self.api_version} does not know it",
                "warning",
            )

    def check_kind(self, value: Any, spec: FieldSpec, path: str, name: str) -> Any:
        kind = spec.kind
        if kind == "any":
            self.scan_any(value, path)
            return value
        if value is None:
            return value
        if isinstance(value, str) and kind != "str":
            state = self.scan(value, path, name)
            if state in ("expr", "placeholder"):
                # An ARM expression stands for a value of any kind (ARM evaluates it at deployment): the
                # warning names it, and the rest of the template is checked around it.
                return value
        if kind == "str":
            if not isinstance(value, str):
                self.wrong(path, name, kind, value)
            else:
                self.scan(value, path, name)
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                self.wrong(path, name, kind, value)
        elif kind == "bool":
            if not isinstance(value, bool):
                self.wrong(path, name, kind, value)
        elif kind in ("strlist", "intlist"):
            if not isinstance(value, list):
                self.wrong(path, name, kind, value)
            else:
                for index, item in enumerate(value):
                    here = _join(path, index)
                    if isinstance(item, str):
                        state = self.scan(item, here, name)
                        if kind == "intlist" and state == "ok":
                            self.wrong(here, f"{name} item", "int", item)
                    elif kind == "strlist" or isinstance(item, bool) or not isinstance(item, int):
                        self.wrong(here, f"{name} item", kind[:-4], item)
        elif kind == "strmap":
            if not isinstance(value, dict):
                self.wrong(path, name, kind, value)
            else:
                for key, item in value.items():
                    here = _join(path, key)
                    self.scan(key, here)
                    if not isinstance(item, str):
                        self.wrong(here, f"the value of {key!r}", "str", item)
                    else:
                        self.scan(item, here)
        elif kind == "object":
            if not isinstance(value, dict):
                self.wrong(path, name, kind, value)
        elif kind == "objlist" and not isinstance(value, list):
            self.wrong(path, name, kind, value)
        return value

    def wrong(self, path: str, name: str, kind: str, value: Any) -> None:
        hint = ""
        if kind == "bool" and isinstance(value, str) and value.lower() in ("true", "false"):
            hint = f": write {value.lower()} without quotes"
        elif kind in ("strlist", "intlist") and isinstance(value, str | int) and not isinstance(value, bool):
            hint = f": write [{value!r}]".replace("'", '"')
        elif kind == "int" and isinstance(value, str) and value.strip().isdigit():
            hint = f": write {value.strip()} without quotes"
        self.add(
            path, C.WRONG_VALUE_TYPE, f"`{name}` must be {_DESCRIBE[kind]}, not {_json_kind(value)}{hint}"
        )

    def require(self, obj: dict[str, Any], name: str, path: str, what: str = "") -> bool:
        value = obj.get(name)
        if value is None or value == "" or value == []:
            where = f" in {path}" if path else ""
            self.add(_join(path, name), C.MISSING_FIELD, f"`{name}` is required{where}{what}")
            return False
        return True

    def plain(self, value: Any) -> TypeGuard[str]:
        """True for a string worth checking: not an expression, not a placeholder (already reported)."""
        return isinstance(value, str) and not is_arm_expression(value) and self.scan_quiet(value)

    @staticmethod
    def scan_quiet(value: str) -> bool:
        return _ANGLE.search(value) is None

    def resource_id(self, value: Any, path: str, kind: str) -> None:
        if not self.plain(value) or _CURLY.search(value):
            return
        pattern, shape = RESOURCE_IDS[kind]
        if not pattern.match(value):
            self.add(path, C.RESOURCE_ID_MALFORMED, f"{value!r} is not a resource id of the form {shape}")

    def region(self, value: Any, path: str, *, distributor: bool = False) -> Any:
        if not self.plain(value):
            return value
        short = region_short_name(value)
        if not _REGION.match(short):
            self.add(path, C.LOCATION_INVALID, f"{value!r} is not an Azure region name (such as westus2)")
            return value
        if is_preview(self.api_version) and short not in PREVIEW_REGIONS:
            regions = ", ".join(PREVIEW_REGIONS)
            if distributor:
                self.add(
                    path,
                    C.DISTRIBUTOR_LOCATION_NOT_IN_PREVIEW,
                    f"{value!r} is outside the regions the document lists for the preview ({regions}); the "
                    "service was seen to accept managed-image distributions to other regions",
                )
            else:
                self.add(
                    path,
                    C.LOCATION_NOT_IN_PREVIEW,
                    f"Image Builder {self.api_version} runs only in {regions}; {value!r} is not one of them",
                )
        return short

    def url(self, value: Any, path: str) -> None:
        if not self.plain(value):
            return
        lowered = value.lower()
        if lowered.startswith("http://"):
            self.add(
                path,
                C.URL_NOT_HTTPS,
                f"{value} is fetched over plain http: use https so the file cannot be altered on the way",
                "warning",
            )
        elif not lowered.startswith("https://"):
            self.add(
                path,
                C.URL_INVALID,
                f"{value!r} is not a URL: give an https:// address the build VM can reach",
            )

    # -- the template -------------------------------------------------------------------------------------
    def template(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = self.normalise(doc, TEMPLATE, "")
        self.resource_type(out)
        self.choose_api_version(out)
        if not self.require(out, "location", "", " (the region where the image is built)"):
            pass
        elif isinstance(out["location"], str):
            out["location"] = self.region(out["location"], "location")
        identity = out.get("identity")
        if isinstance(identity, dict):
            out["identity"] = self.identity(identity)
        elif identity is None and version_index(self.api_version) >= version_index(V2020):
            self.add(
                "identity",
                C.IDENTITY_REQUIRED,
                f"api-version {self.api_version} requires a user-assigned identity: add "
                '"identity": {"type": "UserAssigned", "userAssignedIdentities": {"<identity id>": {}}}',
            )
        props = out.get("properties")
        if props is None:  # absent or null: report what it must hold (source, distribute)
            props = {}
        if isinstance(props, dict):
            out["properties"] = self.properties(props)
        return out

    def resource_type(self, out: dict[str, Any]) -> None:
        value = out.get("type")
        if value is None or not isinstance(value, str) or is_arm_expression(value):
            return
        lowered = value.lower()
        if lowered == RESOURCE_TYPE.lower():
            out["type"] = RESOURCE_TYPE
        elif lowered in ("microsoft.virtualmachineimages", "microsoft.virtualmachineimages/imagetemplate"):
            self.add(
                "type",
                C.RESOURCE_TYPE_INCOMPLETE,
                f"type {value!r} is read as {RESOURCE_TYPE!r}; write that",
                "warning",
            )
            out["type"] = RESOURCE_TYPE
        else:
            self.add("type", C.RESOURCE_TYPE, f"type must be {RESOURCE_TYPE!r}, not {value!r}")

    def choose_api_version(self, out: dict[str, Any]) -> None:
        value = out.get("apiVersion")
        if not isinstance(value, str) or is_arm_expression(value):
            return  # absent or an expression: checked against the api_version asked for
        if value in KNOWN_API_VERSIONS:
            self.api_version = value
        else:
            known = ", ".join(KNOWN_API_VERSIONS)
            self.add("apiVersion", C.API_VERSION_UNKNOWN, f"apiVersion {value!r} is not one of {known}")

    def identity(self, identity: dict[str, Any]) -> dict[str, Any]:
        out = self.normalise(identity, IDENTITY, "identity")
        kind = out.get("type")
        if kind is None:
            self.add("identity.type", C.MISSING_FIELD, '`type` is required: "UserAssigned"')
        elif isinstance(kind, str) and self.plain(kind):
            if kind.lower() == "userassigned":
                out["type"] = "UserAssigned"
            else:
                self.add(
                    "identity.type",
                    C.IDENTITY_TYPE,
                    f"Image Builder supports only a user-assigned identity: type must be 'UserAssigned', not "
                    f"{kind!r}",
                )
        ids = out.get("userAssignedIdentities")
        if ids is None:
            self.add(
                "identity.userAssignedIdentities",
                C.IDENTITY_COUNT,
                'give exactly one user-assigned identity: {"<identity resource id>": {}}',
            )
        elif isinstance(ids, dict):
            if len(ids) != 1:
                self.add(
                    "identity.userAssignedIdentities",
                    C.IDENTITY_COUNT,
                    f"Image Builder supports a single identity only; {len(ids)} are given",
                )
            for key, value in ids.items():
                here = f"identity.userAssignedIdentities[{key!r}]"
                if self.scan(key, here) == "ok":
                    self.resource_id(key, here, "identity")
                if not isinstance(value, dict):
                    self.add(here, C.WRONG_VALUE_TYPE, "each identity maps to an empty object: {}")
        return out

    def properties(self, props: dict[str, Any]) -> dict[str, Any]:
        out = self.normalise(props, PROPERTIES, "properties")
        source = out.get("source")
        if source is None:
            self.add("properties.source", C.MISSING_FIELD, "`source` is required (the image to start from)")
        elif isinstance(source, dict):
            out["source"] = self.source(source)
        timeout = out.get("buildTimeoutInMinutes")
        if isinstance(timeout, int) and not isinstance(timeout, bool):
            self.build_timeout(timeout)
        profile = out.get("vmProfile")
        if isinstance(profile, dict):
            out["vmProfile"] = self.vm_profile(profile)
        customize = out.get("customize")
        if isinstance(customize, list):
            out["customize"] = self.customizers(customize)
        distribute = out.get("distribute")
        if distribute is None:
            self.add(
                "properties.distribute", C.MISSING_FIELD, "`distribute` is required (where the image goes)"
            )
        elif isinstance(distribute, list):
            out["distribute"] = self.distributors(distribute)
        return out

    def polymorphic(
        self,
        obj: dict[str, Any],
        path: str,
        table: dict[str, dict[str, FieldSpec]],
        unknown_code: str,
        what: str,
    ) -> tuple[str | None, dict[str, Any]]:
        """Find the ``type`` (case-insensitively), then normalise the object with that type's fields."""
        raw = next((v for k, v in obj.items() if isinstance(k, str) and k.lower() == "type"), None)
        if raw is None:
            self.add(_join(path, "type"), C.MISSING_FIELD, f"`type` is required: one of {', '.join(table)}")
            return None, dict(obj)
        if not isinstance(raw, str):
            self.wrong(_join(path, "type"), "type", "str", raw)
            return None, dict(obj)
        canonical = next((name for name in table if name.lower() == raw.lower()), None)
        if canonical is None:
            if self.scan(raw, _join(path, "type")) == "ok":
                hint = suggest(raw, list(table))
                tip = f": did you mean {hint!r}?" if hint else ""
                self.add(
                    _join(path, "type"),
                    unknown_code,
                    f"unknown {what} type {raw!r}; the types are {', '.join(table)}{tip}",
                )
            return None, dict(obj)
        out = self.normalise(obj, table[canonical], path)
        out["type"] = spelled(canonical, raw)
        return canonical, out

    def source(self, source: dict[str, Any]) -> dict[str, Any]:
        path = "properties.source"
        kind, out = self.polymorphic(source, path, SOURCES, C.SOURCE_TYPE_UNKNOWN, "source")
        if kind == "ISO":
            self.add(_join(path, "type"), C.ISO_SOURCE_DEPRECATED, ISO_MESSAGE)
        elif kind == "PlatformImage":
            for name in ("publisher", "offer", "sku", "version"):
                self.require(out, name, path, ' (version may be "latest")' if name == "version" else "")
            self.os = _platform_os(out)
        elif kind == "ManagedImage":
            if self.require(out, "imageId", path, " (the managed image's resource id)"):
                self.resource_id(out["imageId"], f"{path}.imageId", "image")
        elif kind == "SharedImageVersion" and self.require(
            out, "imageVersionId", path, " (the gallery image version's resource id)"
        ):
            self.resource_id(out["imageVersionId"], f"{path}.imageVersionId", "imageVersion")
        return out

    def build_timeout(self, minutes: int) -> None:
        path = "properties.buildTimeoutInMinutes"
        if not 0 <= minutes <= 960:
            self.add(
                path,
                C.BUILD_TIMEOUT_RANGE,
                f"buildTimeoutInMinutes must be 0 to 960 (16 hours; 0 means the 240-minute default), not "
                f"{minutes}",
            )
        elif self.os == "windows" and 0 < minutes < 60:
            self.add(
                path,
                C.BUILD_TIMEOUT_SHORT_FOR_WINDOWS,
                f"{minutes} minutes is short for a Windows build: the document advises at least 60",
                "warning",
            )

    def vm_profile(self, profile: dict[str, Any]) -> dict[str, Any]:
        path = "properties.vmProfile"
        out = self.normalise(profile, VM_PROFILE, path)
        size = out.get("osDiskSizeGB")
        if isinstance(size, int) and not isinstance(size, bool) and size < 0:
            self.add(
                f"{path}.osDiskSizeGB",
                C.VALUE_OUT_OF_RANGE,
                f"osDiskSizeGB must be 0 or more (0 keeps the source's size), not {size}",
            )
        vnet = out.get("vnetConfig")
        if isinstance(vnet, dict):
            here = f"{path}.vnetConfig"
            vnet_out = self.normalise(vnet, VNET_CONFIG, here)
            if version_index(self.api_version) < version_index(V2020):
                for name in ("name", "subnetName", "resourceGroupName"):
                    self.require(vnet_out, name, here)
            elif self.require(vnet_out, "subnetId", here, f" at api-version {self.api_version}"):
                self.resource_id(vnet_out["subnetId"], f"{here}.subnetId", "subnet")
            out["vnetConfig"] = vnet_out
        return out

    def customizers(self, items: list[Any]) -> list[Any]:
        out: list[Any] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            path = f"properties.customize[{index}]"
            if is_arm_expression(item):
                self.scan(item, path)
                out.append(item)
                continue
            if not isinstance(item, dict):
                self.add(path, C.WRONG_VALUE_TYPE, f"a customizer is an object, not {_json_kind(item)}")
                out.append(item)
                continue
            kind, norm = self.polymorphic(item, path, CUSTOMIZERS, C.CUSTOMIZER_TYPE_UNKNOWN, "customizer")
            out.append(norm)
            name = norm.get("name")
            if isinstance(name, str) and not is_arm_expression(name):
                if name in seen:
                    self.add(
                        f"{path}.name",
                        C.CUSTOMIZER_NAME_DUPLICATE,
                        f"customizer name {name!r} is already used by customize[{seen[name]}]; names must be "
                        "unique",
                    )
                else:
                    seen[name] = index
            if kind is not None:
                self.customizer(kind, norm, path)
        return out

    def customizer(self, kind: str, item: dict[str, Any], path: str) -> None:
        if kind in ("Shell", "PowerShell"):
            given = [n for n in ("scriptUri", "inline") if item.get(n) not in (None, "", [])]
            if len(given) != 1:
                problem = "both are given" if given else "neither is given"
                self.add(
                    path,
                    C.SCRIPT_SOURCE,
                    f"a {kind} customizer needs exactly one of scriptUri / inline: {problem}",
                )
            if "scriptUri" in item:
                self.url(item["scriptUri"], f"{path}.scriptUri")
        checksum = item.get("sha256Checksum")
        if self.plain(checksum) and not _SHA256.match(checksum):
            self.add(
                f"{path}.sha256Checksum",
                C.SHA256_INVALID,
                "sha256Checksum must be 64 hexadecimal characters (the output of `sha256sum <file>`)",
            )
        timeout = item.get("restartTimeout")
        if kind == "WindowsRestart" and self.plain(timeout) and not _DURATION.match(timeout):
            self.add(
                f"{path}.restartTimeout",
                C.RESTART_TIMEOUT_INVALID,
                f"restartTimeout is a magnitude and a unit such as '5m' or '2h', not {timeout!r}",
            )
        if kind == "File":
            if self.require(item, "sourceUri", path):
                self.url(item["sourceUri"], f"{path}.sourceUri")
            if self.require(item, "destination", path) and self.os == "linux":
                dest = item["destination"]
                if self.plain(dest) and not (dest == "/tmp" or dest.startswith("/tmp/")):
                    self.add(
                        f"{path}.destination",
                        C.FILE_DESTINATION_OUTSIDE_TMP,
                        f"on Linux the File customizer can write only under /tmp, not to {dest!r}; copy it "
                        "further with a Shell customizer",
                    )
        if kind == "WindowsUpdate":
            limit = item.get("updateLimit")
            if isinstance(limit, int) and not isinstance(limit, bool) and limit < 0:
                self.add(f"{path}.updateLimit", C.VALUE_OUT_OF_RANGE, "updateLimit must be 0 or more")
        if self.os == "linux" and kind in _WINDOWS_ONLY:
            self.add(
                f"{path}.type",
                C.CUSTOMIZER_OS_MISMATCH,
                f"a {kind} customizer runs only on Windows, and the source is a Linux image",
            )
        if self.os == "windows" and kind == "Shell":
            self.add(
                f"{path}.type",
                C.CUSTOMIZER_OS_MISMATCH,
                "the Shell customizer runs only on Linux, and the source is a Windows image: use PowerShell",
            )

    def distributors(self, items: list[Any]) -> list[Any]:
        if not items:
            self.add("properties.distribute", C.DISTRIBUTE_EMPTY, "give at least one distributor")
        out: list[Any] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            path = f"properties.distribute[{index}]"
            if is_arm_expression(item):
                self.scan(item, path)
                out.append(item)
                continue
            if not isinstance(item, dict):
                self.add(path, C.WRONG_VALUE_TYPE, f"a distributor is an object, not {_json_kind(item)}")
                out.append(item)
                continue
            kind, norm = self.polymorphic(item, path, DISTRIBUTORS, C.DISTRIBUTOR_TYPE_UNKNOWN, "distributor")
            out.append(norm)
            if kind is None:
                continue
            if self.require(norm, "runOutputName", path, " (the name to ask for this output's result)"):
                name = norm["runOutputName"]
                if self.plain(name):
                    if not _RUN_OUTPUT_NAME.match(name):
                        self.add(
                            f"{path}.runOutputName",
                            C.RUN_OUTPUT_NAME_INVALID,
                            f"runOutputName {name!r} must be 1 to 64 letters, digits, '-', '_' or '.'",
                        )
                    if name in seen:
                        self.add(
                            f"{path}.runOutputName",
                            C.RUN_OUTPUT_NAME_DUPLICATE,
                            f"runOutputName {name!r} is already used by distribute[{seen[name]}]; each "
                            "distributor needs its own",
                        )
                    else:
                        seen[name] = index
            self.distributor(kind, norm, path)
        return out

    def distributor(self, kind: str, item: dict[str, Any], path: str) -> None:
        if kind == "ManagedImage":
            if self.require(item, "imageId", path, " (the resource id of the image to create)"):
                self.resource_id(item["imageId"], f"{path}.imageId", "image")
            if self.require(item, "location", path, " (the region of the managed image)"):
                item["location"] = self.region(item["location"], f"{path}.location", distributor=True)
        elif kind == "SharedImage":
            if self.require(item, "galleryImageId", path, " (the gallery image definition's resource id)"):
                self.resource_id(item["galleryImageId"], f"{path}.galleryImageId", "galleryImage")
            regions = item.get("replicationRegions")
            optional = version_index(self.api_version) >= version_index(V2022_07) and "targetRegions" in item
            if not optional:
                self.require(item, "replicationRegions", path, " (at least the gallery's region)")
            if isinstance(regions, list):
                item["replicationRegions"] = [region_short_name(r) if self.plain(r) else r for r in regions]


_DESCRIBE = {
    "str": "a string",
    "int": "a whole number",
    "bool": "true or false",
    "strlist": "a list of strings",
    "intlist": "a list of whole numbers",
    "strmap": "an object of string values",
    "object": "an object",
    "objlist": "a list of objects",
}


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _platform_os(source: dict[str, Any]) -> str | None:
    publisher = source.get("publisher")
    offer = source.get("offer")
    pub = publisher.lower() if isinstance(publisher, str) and not is_arm_expression(publisher) else ""
    off = offer.lower() if isinstance(offer, str) and not is_arm_expression(offer) else ""
    if "windows" in pub or "windows" in off:
        return "windows"
    if pub in _LINUX_PUBLISHERS or any(word in off for word in _LINUX_OFFER_WORDS):
        return "linux"
    return None


def analyse(document: Any, *, api_version: str) -> tuple[Any, list[Problem]]:
    """Check the JSON form of a template; return it normalised, with every problem found.

    Example:
        >>> doc, problems = analyse({"location": "West US 2"}, api_version="2019-05-01-preview")
        >>> doc["location"], sorted(p.path for p in problems)
        ('westus2', ['properties.distribute', 'properties.source'])
    """
    analyser = _Analyser(api_version)
    if not isinstance(document, dict):
        analyser.add("", C.NOT_A_TEMPLATE, f"a template is a JSON object, not {_json_kind(document)}")
        return document, analyser.problems
    try:
        return analyser.template(document), analyser.problems
    except RecursionError:
        # Only a pathological input (thousands of nested lists) gets here; report it like any problem.
        analyser.add("", C.NOT_A_TEMPLATE, "the template is nested too deeply to check")
        return document, analyser.problems
