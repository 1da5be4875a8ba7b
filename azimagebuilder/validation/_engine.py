"""The document's rules, run over the JSON form of a template.

``analyse(document, api_version=...)`` returns the normalised document (property names in their canonical
spelling, regions as short names, type names spelled the REST API's or the document's way) and every problem
found. Both ``validate`` and ``load_template`` use it, so they always agree.

How it is built: :meth:`_Analyser.shape` checks any object against its declaration in ``_fields.py``
(names and their case, unknown fields, since/until, kinds, enums, formats, ranges, required fields, mutual
exclusions, nested objects and families), so a new field or section needs no code here. The methods after
it add the rules no declaration can say (regions at the preview, the OS of the source, unique names, ...).
To add a rule: a method called from the section it belongs to, a code in ``_codes.py``, a line in
docs/validation.md.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, TypeGuard

from .. import _codes as C
from .. import _fields as D
from .._constants import DEFAULT_API_VERSION, KNOWN_API_VERSIONS, PREVIEW_REGIONS, RESOURCE_TYPE
from .._expressions import is_arm_expression
from .._fields import Family, Field, Shape, is_preview, is_strict, version_index
from .._problems import Problem, Severity

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
    "resourceGroup": (
        re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+$", re.I),
        "/subscriptions/<subscriptionId>/resourceGroups/<resourceGroupName>",
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
_WINDOWS_ONLY = frozenset({D.WINDOWS_RESTART_CUSTOMIZER.tag, D.WINDOWS_UPDATE_CUSTOMIZER.tag})
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
    """The last name in a JSON path (``properties.customize[0].name`` -> ``name``), a dot inside a key's
    brackets not counted (``identity.userAssignedIdentities['/.../Microsoft.ManagedIdentity/...']`` ->
    ``userAssignedIdentities['/.../Microsoft.ManagedIdentity/...']``)."""
    if not path:
        return "the template"
    depth = 0
    for index in range(len(path) - 1, -1, -1):
        char = path[index]
        if char == "]":
            depth += 1
        elif char == "[":
            depth -= 1
        elif char == "." and depth == 0:
            return path[index + 1 :]
    return path


def _subject(path: str) -> str:
    """What a message about the value at ``path`` names: `` `field` ``, or a key of a map (an identity id)."""
    name = _field_name(path)
    if name.endswith("']") and "['" in name:
        return f"a key of `{name.split('[', 1)[0]}`"
    return f"`{name}`"


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
    def __init__(self, api_version: str, *, fixed: bool = False) -> None:
        self.api_version = api_version
        self.fixed = fixed  # the caller's version wins over the template's own apiVersion
        self.problems: list[Problem] = []
        self.os: str | None = None  # "windows" / "linux" when the source tells

    @property
    def strict(self) -> bool:
        """From 2024-02-01 on the service refuses wrong case and unknown fields: those are errors."""
        return is_strict(self.api_version)

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
                f"{_subject(path)} still holds the {which} {names} from the template document: replace "
                "it with a real value (validate and load_template fill it in: --set NAME=VALUE, "
                "parameters={'NAME': ...})",
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

    # -- any object, from its declaration -----------------------------------------------------------------
    def shape(
        self, obj: dict[str, Any], shape: Shape, path: str, *, special: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """Check ``obj`` against ``shape``; return it with canonical key spelling.

        Fields in ``special`` get their names, version and kind checked here, their content by the caller.
        """
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if not isinstance(key, str):  # pragma: no cover - JSON keys are strings
                continue
            declared = shape.lookup(key)
            if declared is None:
                here = _join(path, key)
                self.unknown_field(key, shape, here)
                self.scan_any(value, here)
                out[key] = value
                continue
            here = _join(path, declared.wire)
            if key != declared.wire and not (key in declared.spellings and is_preview(self.api_version)):
                self.wrong_case("field name", key, declared.wire, here)
            self.check_version(declared, here)
            value = self.check_kind(value, declared, here)
            if value is not None and declared.wire not in special:
                value = self.content(value, declared, here)
            out[declared.wire] = value
        for declared in shape.fields:
            if declared.wire not in special and declared.required_at(self.api_version):
                self.require(out, declared.wire, path, f" ({declared.doc})" if declared.doc else "")
        for declared in shape.fields:
            for other in declared.excludes:
                if declared.wire < other and _given(out.get(declared.wire)) and _given(out.get(other)):
                    self.add(
                        _join(path, other),
                        C.MUTUALLY_EXCLUSIVE,
                        f"give `{declared.wire}` or `{other}`, not both",
                    )
        return out

    def unknown_field(self, key: str, shape: Shape, path: str) -> None:
        known = [f.wire for f in shape.fields if f.known_at(self.api_version) and not f.read_only]
        hint = suggest(key, known)
        tip = f": did you mean `{hint}`?" if hint else ""
        if self.strict:
            self.add(
                path,
                C.UNKNOWN_FIELD,
                f"unknown field `{key}`: from api-version {D.STRICT_SINCE} the service refuses "
                f"fields it does not know{tip}",
            )
        else:
            self.add(
                path,
                C.UNKNOWN_FIELD,
                f"unknown field `{key}` (kept as written, but the service ignores or refuses it){tip}",
                "warning",
            )

    def wrong_case(self, what: str, written: str, right: str, path: str) -> None:
        if self.strict:
            self.add(
                path,
                C.WRONG_CASE,
                f"{what} {written!r} is refused: from api-version {D.STRICT_SINCE} the service matches "
                f"names and values case-sensitively: did you mean {right!r}?",
            )
        else:
            self.add(
                path,
                C.WRONG_CASE,
                f"{what} {written!r} is read as {right!r} at api-version {self.api_version}, but "
                f"refused from {D.STRICT_SINCE} on (case-sensitive): write {right!r}",
                "warning",
            )

    def check_version(self, declared: Field, path: str) -> None:
        name = declared.wire
        severity: Severity = "error" if self.strict else "warning"
        current = version_index(self.api_version)
        if declared.since is not None and current < version_index(declared.since) and not declared.read_only:
            self.add(
                path,
                C.FIELD_NEWER_THAN_API_VERSION,
                f"`{name}` arrived in api-version {declared.since}; at {self.api_version} the service "
                f"does not know it: declare apiVersion {declared.since} or later, or remove it",
                severity,
            )
        if declared.until is not None and current >= version_index(declared.until):
            self.add(
                path,
                C.FIELD_REMOVED_IN_API_VERSION,
                f"`{name}` belongs to api-versions before {declared.until}; {self.api_version} does not know "
                "it",
                severity,
            )

    def check_kind(self, value: Any, declared: Field, path: str) -> Any:
        kind, name = declared.kind, declared.wire
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
        elif kind in ("object", "objmap"):
            if not isinstance(value, dict):
                self.wrong(path, name, kind, value)
        elif kind == "objlist" and not isinstance(value, list):
            self.wrong(path, name, kind, value)
        return value

    def content(self, value: Any, declared: Field, path: str) -> Any:
        """Enum, format, range and nested objects of a value of the right kind."""
        if declared.enum and isinstance(value, str):
            return self.enum(value, declared, path)
        if declared.format is not None and value != "":
            if isinstance(value, str):
                return self.format(value, declared, path)
            if isinstance(value, list):
                return [
                    self.format(v, declared, _join(path, i)) if isinstance(v, str) else v
                    for i, v in enumerate(value)
                ]
        if isinstance(value, int) and not isinstance(value, bool):
            self.range(value, declared, path)
        nested = declared.of
        if nested is None:
            return value
        if declared.kind == "object" and isinstance(value, dict):
            return self.nested(value, nested, path)
        if declared.kind == "objlist" and isinstance(value, list):
            return [self.nested(item, nested, _join(path, i)) for i, item in enumerate(value)]
        if declared.kind == "objmap" and isinstance(value, dict):
            return {k: self.nested(v, nested, _join(path, k)) for k, v in value.items()}
        return value

    def nested(self, value: Any, nested: Shape | Family, path: str) -> Any:
        if is_arm_expression(value):
            self.scan(value, path)
            return value
        if not isinstance(value, dict):
            self.add(
                path,
                C.WRONG_VALUE_TYPE,
                f"an item of `{_field_name(path)}` is an object, not {_json_kind(value)}",
            )
            return value
        if isinstance(nested, Shape):
            return self.shape(value, nested, path)
        _, out = self.member(value, path, nested)
        return out

    def enum(self, value: str, declared: Field, path: str) -> str:
        if not self.plain(value):
            return value
        allowed = declared.enum_at(self.api_version)
        if value in allowed:
            return value
        same = next((v for v in allowed if v.lower() == value.lower()), None)
        if same is not None:
            self.wrong_case(f"`{declared.wire}` value", value, same, path)
            return same
        newer = next((v for v in declared.enum if v.lower() == value.lower()), None)
        if newer is not None:
            since = dict(declared.enum_since)[newer]
            self.add(
                path,
                C.ENUM_VALUE,
                f"`{declared.wire}` {value!r} arrived in api-version {since}; at {self.api_version} it "
                f"is one of {', '.join(allowed)}",
            )
            return value
        hint = suggest(value, list(allowed))
        tip = f": did you mean {hint!r}?" if hint else ""
        self.add(
            path, C.ENUM_VALUE, f"`{declared.wire}` must be one of {', '.join(allowed)}, not {value!r}{tip}"
        )
        return value

    def format(self, value: str, declared: Field, path: str) -> str:
        fmt = declared.format
        if fmt == "url":
            self.url(value, path)
        elif fmt == "sha256":
            if self.plain(value) and value and not _SHA256.match(value):
                self.add(
                    path,
                    C.SHA256_INVALID,
                    "sha256Checksum must be 64 hexadecimal characters (the output of `sha256sum <file>`)",
                )
        elif fmt == "duration":
            if self.plain(value) and not _DURATION.match(value):
                self.add(
                    path,
                    C.RESTART_TIMEOUT_INVALID,
                    f"{declared.wire} is a magnitude and a unit such as '5m' or '2h', not {value!r}",
                )
        elif fmt == "region":
            return str(self.region(value, path, distributor=declared is not D.TEMPLATE.field("location")))
        elif fmt == "run-output-name":
            if self.plain(value) and not _RUN_OUTPUT_NAME.match(value):
                self.add(
                    path,
                    C.RUN_OUTPUT_NAME_INVALID,
                    f"runOutputName {value!r} must be 1 to 64 letters, digits, '-', '_' or '.'",
                )
        elif fmt is not None and fmt.startswith("id:"):
            self.resource_id(value, path, fmt[3:])
        return value

    def range(self, value: int, declared: Field, path: str) -> None:
        low, high = declared.minimum, declared.maximum
        if (low is None or value >= low) and (high is None or value <= high):
            return
        if declared is D.PROPERTIES.field("buildTimeoutInMinutes"):
            return  # its own rule, with its own code (build_timeout)
        bounds = (
            f"{low} to {high}"
            if low is not None and high is not None
            else f"{low} or more"
            if low is not None
            else f"{high} or less"
        )
        self.add(path, C.VALUE_OUT_OF_RANGE, f"`{declared.wire}` must be {bounds}, not {value}")

    def member(self, obj: dict[str, Any], path: str, family: Family) -> tuple[Shape | None, dict[str, Any]]:
        """Find the member by its tag (case-insensitively), then check the object as that member."""
        tag_name = family.discriminator
        raw = next((v for k, v in obj.items() if isinstance(k, str) and k.lower() == tag_name), None)
        names = ", ".join(m.tag for m in family.members_at(self.api_version))
        here = _join(path, tag_name)
        if raw is None:
            self.add(here, C.MISSING_FIELD, f"`{tag_name}` is required: one of {names}")
            return None, dict(obj)
        if not isinstance(raw, str):
            self.wrong(here, tag_name, "str", raw)
            return None, dict(obj)
        found = family.member(raw)
        if found is None or (not found.known_at(self.api_version) and found is not D.ISO_SOURCE):
            if self.scan(raw, here) == "ok":
                if found is not None:
                    self.add(
                        here,
                        _UNKNOWN_TYPE_CODES.get(family.name, C.UNKNOWN_FIELD),
                        f"{family.name} type {raw!r} is not known at api-version {self.api_version} (it is "
                        f"from {found.since} to {found.until or 'now'}); the types are {names}",
                    )
                else:
                    hint = suggest(raw, [m.tag for m in family.members_at(self.api_version)])
                    tip = f": did you mean {hint!r}?" if hint else ""
                    self.add(
                        here,
                        _UNKNOWN_TYPE_CODES.get(family.name, C.UNKNOWN_FIELD),
                        f"unknown {family.name} type {raw!r}; the types are {names}{tip}",
                    )
            return None, dict(obj)
        if raw != found.tag and not (raw in found.tags and is_preview(self.api_version)):
            self.wrong_case(f"{family.name} type", raw, found.tag, here)
        out = self.shape(obj, found, path, special=frozenset({tag_name}))
        out[tag_name] = raw if raw in found.tags else found.tag  # the document's spelling kept, if known
        self.one_of_script(found, out, path)
        return found, out

    def one_of_script(self, shape: Shape, item: dict[str, Any], path: str) -> None:
        """Shell and PowerShell customizers and validators need exactly one of scriptUri / inline."""
        if shape.lookup("scriptUri") is None or shape.lookup("inline") is None:
            return
        given = [n for n in ("scriptUri", "inline") if item.get(n) not in (None, "", [])]
        if len(given) != 1:
            problem = "both are given" if given else "neither is given"
            self.add(
                path, C.SCRIPT_SOURCE, f"a {shape.tag} needs exactly one of scriptUri / inline: {problem}"
            )

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
            if any(p.path == _join(path, name) and p.code == C.MISSING_FIELD for p in self.problems):
                return False
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

    # -- the rules no declaration can say ---------------------------------------------------------------
    def template(self, doc: dict[str, Any]) -> dict[str, Any]:
        self.choose_api_version(doc)
        out = self.shape(doc, D.TEMPLATE, "", special=frozenset({"identity", "properties", "type"}))
        self.resource_type(out)
        identity = out.get("identity")
        if isinstance(identity, dict):
            out["identity"] = self.identity(identity)
        elif identity is None and version_index(self.api_version) >= version_index(D.V2020):
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

    def choose_api_version(self, doc: dict[str, Any]) -> None:
        value = next((v for k, v in doc.items() if isinstance(k, str) and k.lower() == "apiversion"), None)
        if not isinstance(value, str) or is_arm_expression(value):
            return  # absent or an expression: checked against the api_version asked for
        if value in KNOWN_API_VERSIONS:
            if not self.fixed:
                self.api_version = value
            elif value != self.api_version:
                self.add(
                    "apiVersion",
                    C.API_VERSION_DIFFERS,
                    f"the template says apiVersion {value}, but it is sent at api-version "
                    f"{self.api_version}: the service reads the body at the request's version, so "
                    f"{self.api_version} applies (checked at that version)",
                    "warning",
                )
        else:
            known = ", ".join(KNOWN_API_VERSIONS)
            self.add("apiVersion", C.API_VERSION_UNKNOWN, f"apiVersion {value!r} is not one of {known}")

    def identity(self, identity: dict[str, Any]) -> dict[str, Any]:
        out = self.shape(
            identity, D.IDENTITY, "identity", special=frozenset({"type", "userAssignedIdentities"})
        )
        kind = out.get("type")
        if kind is None:
            self.add("identity.type", C.MISSING_FIELD, '`type` is required: "UserAssigned"')
        elif isinstance(kind, str) and self.plain(kind):
            if kind == "UserAssigned":
                pass
            elif kind.lower() == "userassigned":
                self.wrong_case("identity type", kind, "UserAssigned", "identity.type")
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
        special = frozenset({"source", "customize", "distribute", "buildTimeoutInMinutes"})
        out = self.shape(props, D.PROPERTIES, "properties", special=special)
        source = out.get("source")
        if source is None:
            self.add("properties.source", C.MISSING_FIELD, "`source` is required (the image to start from)")
        elif isinstance(source, dict):
            out["source"] = self.source(source)
        timeout = out.get("buildTimeoutInMinutes")
        if isinstance(timeout, int) and not isinstance(timeout, bool):
            self.build_timeout(timeout)
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
        validation = out.get("validate")
        if isinstance(validation, dict) and isinstance(validation.get("inVMValidations"), list):
            for index, item in enumerate(validation["inVMValidations"]):
                if isinstance(item, dict):
                    self.os_mismatch(
                        str(item.get("type", "")), f"properties.validate.inVMValidations[{index}]"
                    )
        return out

    def source(self, source: dict[str, Any]) -> dict[str, Any]:
        path = "properties.source"
        kind, out = self.member(source, path, D.SOURCES)
        if kind is D.ISO_SOURCE:
            self.add(_join(path, "type"), C.ISO_SOURCE_DEPRECATED, ISO_MESSAGE)
        elif kind is D.PLATFORM_IMAGE_SOURCE:
            self.os = _platform_os(out)
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
            kind, norm = self.member(item, path, D.CUSTOMIZERS)
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

    def customizer(self, kind: Shape, item: dict[str, Any], path: str) -> None:
        if kind is D.FILE_CUSTOMIZER and self.os == "linux" and _given(item.get("destination")):
            dest = item["destination"]
            if self.plain(dest) and not (dest == "/tmp" or dest.startswith("/tmp/")):
                self.add(
                    f"{path}.destination",
                    C.FILE_DESTINATION_OUTSIDE_TMP,
                    f"on Linux the File customizer can write only under /tmp, not to {dest!r}; copy it "
                    "further with a Shell customizer",
                )
        self.os_mismatch(kind.tag, path)

    def os_mismatch(self, kind: str, path: str) -> None:
        if self.os == "linux" and kind in _WINDOWS_ONLY:
            self.add(
                f"{path}.type",
                C.CUSTOMIZER_OS_MISMATCH,
                f"a {kind} customizer runs only on Windows, and the source is a Linux image",
            )
        if self.os == "windows" and kind == D.SHELL_CUSTOMIZER.tag:
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
            kind, norm = self.member(item, path, D.DISTRIBUTORS)
            out.append(norm)
            if kind is None:
                continue
            name = norm.get("runOutputName")
            if self.plain(name):
                if name in seen:
                    self.add(
                        f"{path}.runOutputName",
                        C.RUN_OUTPUT_NAME_DUPLICATE,
                        f"runOutputName {name!r} is already used by distribute[{seen[name]}]; each "
                        "distributor needs its own",
                    )
                else:
                    seen[name] = index
            if kind is D.SHARED_IMAGE_DISTRIBUTOR:
                self.shared_image(norm, path)
        return out

    def shared_image(self, item: dict[str, Any], path: str) -> None:
        later = version_index(self.api_version) >= version_index(D.V2022_07)
        if later and not _given(item.get("targetRegions")):
            self.require(
                item, "replicationRegions", path, " (or targetRegions: at least the gallery's region)"
            )
        regions = item.get("replicationRegions")
        if isinstance(regions, list):
            item["replicationRegions"] = [region_short_name(r) if self.plain(r) else r for r in regions]


def _given(value: Any) -> bool:
    return value not in (None, "", [], {})


_UNKNOWN_TYPE_CODES = {
    "source": C.SOURCE_TYPE_UNKNOWN,
    "customizer": C.CUSTOMIZER_TYPE_UNKNOWN,
    "distributor": C.DISTRIBUTOR_TYPE_UNKNOWN,
    "validator": C.VALIDATOR_TYPE_UNKNOWN,
    "version scheme": C.VERSION_SCHEME_UNKNOWN,
}


_DESCRIBE = {
    "str": "a string",
    "int": "a whole number",
    "bool": "true or false",
    "strlist": "a list of strings",
    "intlist": "a list of whole numbers",
    "strmap": "an object of string values",
    "object": "an object",
    "objlist": "a list of objects",
    "objmap": "an object of objects",
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


def analyse(document: Any, *, api_version: str | None) -> tuple[Any, list[Problem]]:
    """Check the JSON form of a template; return it normalised, with every problem found.

    ``api_version`` is the version the template is checked at (the one its request will carry); a
    template whose own ``apiVersion`` differs gets the warning ``api-version-differs``. ``None``: the
    template's own ``apiVersion``, else ``2019-05-01-preview``.

    Example:
        >>> doc, problems = analyse({"location": "West US 2"}, api_version="2019-05-01-preview")
        >>> doc["location"], sorted(p.path for p in problems)
        ('westus2', ['properties.distribute', 'properties.source'])
    """
    analyser = _Analyser(api_version or DEFAULT_API_VERSION, fixed=api_version is not None)
    if not isinstance(document, dict):
        analyser.add("", C.NOT_A_TEMPLATE, f"a template is a JSON object, not {_json_kind(document)}")
        return document, analyser.problems
    try:
        return analyser.template(document), analyser.problems
    except RecursionError:
        # Only a pathological input (thousands of nested lists) gets here; report it like any problem.
        analyser.add("", C.NOT_A_TEMPLATE, "the template is nested too deeply to check")
        return document, analyser.problems
