"""Every field of an Image Builder template, declared once.

Each object of the template (the properties, a source, a customizer, a validator, a distributor, the VM
profile, ...) is a :class:`Shape`: its fields with their wire name, Python name, JSON kind, enum values,
required-ness, format, range, mutual exclusions and the api-versions that know them (``since`` inclusive,
``until`` exclusive). A polymorphic family (sources, customizers, in-VM validators, distributors, version
schemes, triggers) is a :class:`Family` of shapes told apart by a type tag, written here and nowhere else.

What derives from these declarations:

- ``validation/_engine.py`` checks a document against them (kinds, enums, required, formats, ranges,
  exclusions, since/until, unknown fields and wrong case);
- the pydantic models take their wire names (aliases) and type tags from them, and a test proves each
  model has exactly the declared fields (tests/models/test_models_declarations.py);
- ``azimagebuilder schema --api-version V`` is built from them (``models/_schema.py``);
- the emulator refuses a wrongly cased field, or one the request's api-version does not know, from
  2024-02-01 on, as the service does (``emulator/providers/_shapes.strict_field_problems``);
- a test compares them with the service's own REST specs of every served api-version
  (tests/models/test_models_spec.py).

A leaf module: standard library only (and ``_constants``), so every layer may read it cheaply.

Example:
    >>> from azimagebuilder._fields import PROPERTIES
    >>> field = PROPERTIES.field("stagingResourceGroup")
    >>> field.python, field.since
    ('staging_resource_group', '2022-02-14')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ._constants import KNOWN_API_VERSIONS

PREVIEW = "2019-05-01-preview"
V2020 = "2020-02-14"
V2021 = "2021-10-01"
V2022_02 = "2022-02-14"
V2022_07 = "2022-07-01"
V2023 = "2023-07-01"
V2024 = "2024-02-01"
V2025 = "2025-10-01"

#: From this api-version on, the service matches field names and enum values case-sensitively and refuses
#: unknown fields ("Breaking change: case sensitivity", Image Builder release notes, May 2024).
STRICT_SINCE = V2024

#: The JSON kinds of a field. ``object`` / ``objlist`` / ``objmap`` hold a :class:`Shape` or :class:`Family`
#: (``of``); ``any`` is kept and not checked (ARM resource keys such as ``condition``).
Kind = Literal["str", "int", "bool", "strlist", "intlist", "strmap", "object", "objlist", "objmap", "any"]

#: Formats a string may have to follow (checked by validate()).
Format = Literal[
    "url",
    "sha256",
    "duration",
    "region",
    "run-output-name",
    "id:image",
    "id:imageVersion",
    "id:galleryImage",
    "id:subnet",
    "id:identity",
    "id:resourceGroup",
]


def version_index(api_version: str) -> int:
    """Position of an api-version in KNOWN_API_VERSIONS (unknown versions count as the newest).

    Example:
        >>> version_index("2020-02-14") < version_index("2025-10-01")
        True
    """
    try:
        return KNOWN_API_VERSIONS.index(api_version)
    except ValueError:
        return len(KNOWN_API_VERSIONS)


def known_at(since: str | None, until: str | None, api_version: str) -> bool:
    """True when ``since <= api_version < until`` (``None`` bounds are open)."""
    index = version_index(api_version)
    if since is not None and index < version_index(since):
        return False
    return not (until is not None and index >= version_index(until))


def is_preview(api_version: str) -> bool:
    """True for 2019-05-01-preview and the older previews (the document's rules on regions)."""
    return version_index(api_version) <= version_index(PREVIEW)


def is_strict(api_version: str) -> bool:
    """True from 2024-02-01 on: wrong case and unknown fields are refused by the service."""
    return version_index(api_version) >= version_index(STRICT_SINCE)


_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD = re.compile(r"([a-z0-9])([A-Z])")


def snake(wire: str) -> str:
    """The Python name of a wire name: ``osDiskSizeGB`` -> ``os_disk_size_gb``.

    Example:
        >>> snake("inVMValidations"), snake("stagingResourceGroup")
        ('in_vm_validations', 'staging_resource_group')
    """
    return _WORD.sub(r"\1_\2", _ACRONYM.sub(r"\1_\2", wire)).lower()


@dataclass(frozen=True)
class Field:
    """One field of a shape, as the wire writes it and as Python names it."""

    wire: str
    kind: Kind
    python: str = ""
    of: Shape | Family | None = None
    required: bool = False
    #: Required only below this api-version (``replicationRegions`` before ``targetRegions`` existed).
    required_until: str | None = None
    enum: tuple[str, ...] = ()
    #: Enum values newer than the field: value -> first api-version that accepts it.
    enum_since: tuple[tuple[str, str], ...] = ()
    format: Format | None = None
    minimum: int | None = None
    maximum: int | None = None
    since: str | None = None
    until: str | None = None
    read_only: bool = False
    #: Wire names of sibling fields that must not be given together with this one.
    excludes: tuple[str, ...] = ()
    #: Why the field is declared where no REST spec has it (the template document, ARM resource keys).
    note: str = ""
    #: Other spellings the template document (2019-05-01-preview) uses, accepted silently at the preview.
    spellings: tuple[str, ...] = ()
    doc: str = ""

    def __post_init__(self) -> None:
        if not self.python:
            object.__setattr__(self, "python", snake(self.wire))

    def known_at(self, api_version: str) -> bool:
        """True when ``api_version`` knows this field."""
        return known_at(self.since, self.until, api_version)

    def required_at(self, api_version: str) -> bool:
        """True when the field must be given at ``api_version`` (never where that version lacks it)."""
        if not self.known_at(api_version):
            return False
        if self.required:
            return True
        return self.required_until is not None and version_index(api_version) < version_index(
            self.required_until
        )

    def enum_at(self, api_version: str) -> tuple[str, ...]:
        """The enum values ``api_version`` accepts."""
        newer = dict(self.enum_since)
        return tuple(v for v in self.enum if v not in newer or known_at(newer[v], None, api_version))


@dataclass(frozen=True)
class Shape:
    """An object of the template: its fields, and (for a family member) its type tag."""

    name: str
    fields: tuple[Field, ...]
    #: The REST spec's definition (``ImageTemplateShellCustomizer``) or an inline object's dotted path
    #: (``ImageTemplateProperties.optimize``); ``None`` where no spec has one.
    swagger: str | None = None
    #: The type tag of a family member, as the REST API writes it (``"Shell"``).
    tag: str = ""
    #: More accepted spellings of the tag, kept as written (the template document's ``managedImage``).
    spellings: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    #: The pydantic model of this shape (``azimagebuilder.models``), or ``None`` (read only as extras).
    model: str | None = None
    #: Why the shape is declared for versions whose REST spec lacks it (the template document).
    note: str = ""
    _by_lower: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_lower.update({f.wire.lower(): f for f in self.fields})

    @property
    def tags(self) -> tuple[str, ...]:
        """The accepted spellings of the type tag, the REST API's first."""
        return (self.tag, *self.spellings) if self.tag else ()

    @property
    def key(self) -> str:
        """The lower-cased tag: what the models' discriminators use."""
        return self.tag.lower()

    def field(self, wire: str) -> Field:
        """The field of this wire name (exact spelling)."""
        found = self._by_lower.get(wire.lower())
        if found is None or found.wire != wire:
            raise KeyError(f"{self.name} has no field {wire!r}")
        return found

    def lookup(self, name: str) -> Field | None:
        """The field whose wire name matches ``name`` case-insensitively, if any."""
        return self._by_lower.get(name.lower())

    def known_at(self, api_version: str) -> bool:
        """True when ``api_version`` knows this shape."""
        return known_at(self.since, self.until, api_version)


@dataclass(frozen=True)
class Family:
    """Shapes told apart by a tag field (``type``, ``scheme``, ``kind``)."""

    name: str
    members: tuple[Shape, ...]
    discriminator: str = "type"
    swagger: str | None = None

    def member(self, tag: str) -> Shape | None:
        """The member whose tag is ``tag`` (case-insensitively)."""
        lowered = tag.lower()
        return next((m for m in self.members if m.key == lowered), None)

    def members_at(self, api_version: str) -> tuple[Shape, ...]:
        """The members ``api_version`` knows."""
        return tuple(m for m in self.members if m.known_at(api_version))


F = Field
_ON_OFF = ("Enabled", "Disabled")


def _tag(wire: str = "type") -> Field:
    return F(wire, "str", required=True, doc="the type tag")


# -- sources ----------------------------------------------------------------------------------------------
PURCHASE_PLAN = Shape(
    "PlatformImagePurchasePlan",
    (
        F("planName", "str", required=True),
        F("planProduct", "str", required=True),
        F("planPublisher", "str", required=True),
    ),
    swagger="PlatformImagePurchasePlan",
    since=V2020,
    model="PlatformImagePurchasePlan",
)

PLATFORM_IMAGE_SOURCE = Shape(
    "PlatformImageSource",
    (
        _tag(),
        F("publisher", "str", required=True, doc='such as "Canonical"'),
        F("offer", "str", required=True),
        F("sku", "str", required=True),
        F("version", "str", required=True, doc='version may be "latest"'),
        F("planInfo", "object", of=PURCHASE_PLAN, since=V2020),
        F("exactVersion", "str", since=V2021, read_only=True),
    ),
    swagger="ImageTemplatePlatformImageSource",
    tag="PlatformImage",
    model="PlatformImageSource",
)
MANAGED_IMAGE_SOURCE = Shape(
    "ManagedImageSource",
    (_tag(), F("imageId", "str", required=True, format="id:image", doc="the managed image's resource id")),
    swagger="ImageTemplateManagedImageSource",
    tag="ManagedImage",
    model="ManagedImageSource",
)
SHARED_IMAGE_VERSION_SOURCE = Shape(
    "SharedImageVersionSource",
    (
        _tag(),
        F(
            "imageVersionId",
            "str",
            spellings=("imageVersionID",),
            required=True,
            format="id:imageVersion",
            doc="the gallery image version's resource id",
        ),
        F("exactVersion", "str", since=V2022_07, read_only=True),
    ),
    swagger="ImageTemplateSharedImageVersionSource",
    tag="SharedImageVersion",
    model="SharedImageVersionSource",
)
ISO_SOURCE = Shape(
    "IsoSource",
    (_tag(), F("sourceUri", "str", required=True, format="url"), F("sha256Checksum", "str", required=True)),
    swagger="ImageTemplateIsoSource",
    tag="ISO",
    until=V2020,
)
SOURCES = Family(
    "source",
    (PLATFORM_IMAGE_SOURCE, MANAGED_IMAGE_SOURCE, SHARED_IMAGE_VERSION_SOURCE, ISO_SOURCE),
    swagger="ImageTemplateSource",
)

# -- customizers and in-VM validators --------------------------------------------------------------------
_NAME = F("name", "str")
# scriptUri and inline: exactly one of them (validate()'s script-source rule).
_SCRIPT_URI = F("scriptUri", "str", format="url")
_SHA256 = F("sha256Checksum", "str", format="sha256")
_INLINE = F("inline", "strlist")
_RUN_ELEVATED = F("runElevated", "bool")
_RUN_AS_SYSTEM = F("runAsSystem", "bool", since=V2020)
_EXIT_CODES = F("validExitCodes", "intlist")
_SOURCE_URI = F("sourceUri", "str", required=True, format="url", doc="the file to download")
_DESTINATION = F("destination", "str", required=True, doc="where on the build VM the file goes")

SHELL_CUSTOMIZER = Shape(
    "ShellCustomizer",
    (_tag(), _NAME, _SCRIPT_URI, _SHA256, _INLINE),
    swagger="ImageTemplateShellCustomizer",
    tag="Shell",
    model="ShellCustomizer",
)
POWERSHELL_CUSTOMIZER = Shape(
    "PowerShellCustomizer",
    (_tag(), _NAME, _SCRIPT_URI, _SHA256, _INLINE, _RUN_ELEVATED, _RUN_AS_SYSTEM, _EXIT_CODES),
    swagger="ImageTemplatePowerShellCustomizer",
    tag="PowerShell",
    model="PowerShellCustomizer",
)
WINDOWS_RESTART_CUSTOMIZER = Shape(
    "WindowsRestartCustomizer",
    (
        _tag(),
        _NAME,
        F("restartCommand", "str"),
        F("restartCheckCommand", "str"),
        F("restartTimeout", "str", format="duration"),
    ),
    swagger="ImageTemplateRestartCustomizer",
    tag="WindowsRestart",
    model="WindowsRestartCustomizer",
)
FILE_CUSTOMIZER = Shape(
    "FileCustomizer",
    (_tag(), _NAME, _SOURCE_URI, _SHA256, _DESTINATION),
    swagger="ImageTemplateFileCustomizer",
    tag="File",
    model="FileCustomizer",
)
WINDOWS_UPDATE_CUSTOMIZER = Shape(
    "WindowsUpdateCustomizer",
    (
        _tag(),
        _NAME,
        F("searchCriteria", "str"),
        F("filters", "strlist"),
        F("updateLimit", "int", minimum=0),
    ),
    swagger="ImageTemplateWindowsUpdateCustomizer",
    tag="WindowsUpdate",
    note="the template document lists WindowsUpdate for 2019-05-01-preview; the preview REST spec does not",
    model="WindowsUpdateCustomizer",
)
CUSTOMIZERS = Family(
    "customizer",
    (
        SHELL_CUSTOMIZER,
        POWERSHELL_CUSTOMIZER,
        WINDOWS_RESTART_CUSTOMIZER,
        FILE_CUSTOMIZER,
        WINDOWS_UPDATE_CUSTOMIZER,
    ),
    swagger="ImageTemplateCustomizer",
)

SHELL_VALIDATOR = Shape(
    "ShellValidator",
    (_tag(), _NAME, _SCRIPT_URI, _SHA256, _INLINE),
    swagger="ImageTemplateShellValidator",
    tag="Shell",
    since=V2022_02,
    model="ShellValidator",
)
POWERSHELL_VALIDATOR = Shape(
    "PowerShellValidator",
    (_tag(), _NAME, _SCRIPT_URI, _SHA256, _INLINE, _RUN_ELEVATED, _RUN_AS_SYSTEM, _EXIT_CODES),
    swagger="ImageTemplatePowerShellValidator",
    tag="PowerShell",
    since=V2022_02,
    model="PowerShellValidator",
)
FILE_VALIDATOR = Shape(
    "FileValidator",
    (_tag(), _NAME, _SOURCE_URI, _SHA256, _DESTINATION),
    swagger="ImageTemplateFileValidator",
    tag="File",
    since=V2022_07,
    model="FileValidator",
)
VALIDATORS = Family(
    "validator", (SHELL_VALIDATOR, POWERSHELL_VALIDATOR, FILE_VALIDATOR), swagger="ImageTemplateInVMValidator"
)

# -- distributors ------------------------------------------------------------------------------------------
_STORAGE_TYPES = ("Standard_LRS", "Standard_ZRS", "Premium_LRS")

TARGET_REGION = Shape(
    "TargetRegion",
    (
        F("name", "str", required=True, format="region"),
        F("replicaCount", "int", minimum=1),
        F("storageAccountType", "str", enum=_STORAGE_TYPES),
    ),
    swagger="TargetRegion",
    since=V2022_07,
    model="TargetRegion",
)
LATEST_VERSIONER = Shape(
    "LatestVersioner",
    (_tag("scheme"), F("major", "int", minimum=-1)),
    swagger="DistributeVersionerLatest",
    tag="Latest",
    since=V2022_07,
    model="LatestVersioner",
)
SOURCE_VERSIONER = Shape(
    "SourceVersioner",
    (_tag("scheme"),),
    swagger="DistributeVersionerSource",
    tag="Source",
    since=V2022_07,
    model="SourceVersioner",
)
VERSIONERS = Family(
    "version scheme",
    (LATEST_VERSIONER, SOURCE_VERSIONER),
    discriminator="scheme",
    swagger="DistributeVersioner",
)

_RUN_OUTPUT_NAME = F(
    "runOutputName",
    "str",
    required=True,
    format="run-output-name",
    doc="the name to ask for this output's result",
)
_ARTIFACT_TAGS = F("artifactTags", "strmap")

MANAGED_IMAGE_DISTRIBUTOR = Shape(
    "ManagedImageDistributor",
    (
        _tag(),
        _RUN_OUTPUT_NAME,
        _ARTIFACT_TAGS,
        F("imageId", "str", required=True, format="id:image", doc="the resource id of the image to create"),
        F("location", "str", required=True, format="region", doc="the region of the managed image"),
    ),
    swagger="ImageTemplateManagedImageDistributor",
    tag="ManagedImage",
    spellings=("managedImage",),
    model="ManagedImageDistributor",
)
SHARED_IMAGE_DISTRIBUTOR = Shape(
    "SharedImageDistributor",
    (
        _tag(),
        _RUN_OUTPUT_NAME,
        _ARTIFACT_TAGS,
        F(
            "galleryImageId",
            "str",
            required=True,
            format="id:galleryImage",
            doc="the gallery image definition's resource id",
        ),
        F(
            "replicationRegions",
            "strlist",
            required_until=V2022_07,
            excludes=("targetRegions",),
            doc="at least the gallery's region",
        ),
        F("excludeFromLatest", "bool", since=V2020),
        F(
            "storageAccountType",
            "str",
            enum=_STORAGE_TYPES,
            enum_since=(("Premium_LRS", V2022_07),),
            since=V2020,
        ),
        F("targetRegions", "objlist", of=TARGET_REGION, since=V2022_07, excludes=("replicationRegions",)),
        F("versioning", "object", of=VERSIONERS, since=V2022_07),
        F("replicationMode", "str", enum=("Full", "Shallow"), since=V2025),
    ),
    swagger="ImageTemplateSharedImageDistributor",
    tag="SharedImage",
    spellings=("sharedImage",),
    model="SharedImageDistributor",
)
VHD_DISTRIBUTOR = Shape(
    "VhdDistributor",
    (
        _tag(),
        _RUN_OUTPUT_NAME,
        _ARTIFACT_TAGS,
        F("tags", "strmap", note="the template document's VHD example; no REST spec has it"),
        F("uri", "str", format="url", since=V2022_07),
    ),
    swagger="ImageTemplateVhdDistributor",
    tag="VHD",
    model="VhdDistributor",
)
DISTRIBUTORS = Family(
    "distributor",
    (MANAGED_IMAGE_DISTRIBUTOR, SHARED_IMAGE_DISTRIBUTOR, VHD_DISTRIBUTOR),
    swagger="ImageTemplateDistributor",
)

# -- the build VM ------------------------------------------------------------------------------------------
_DOCUMENT_VM = "the template document (2019-05-01-preview) has it; the preview REST spec does not"
VNET_CONFIG = Shape(
    "VnetConfig",
    (
        F("name", "str", required=True, until=V2020, note=_DOCUMENT_VM, doc="the virtual network"),
        F("subnetName", "str", required=True, until=V2020, note=_DOCUMENT_VM),
        F("resourceGroupName", "str", required=True, until=V2020, note=_DOCUMENT_VM),
        F("subnetId", "str", required=True, format="id:subnet", since=V2020, doc="the subnet's resource id"),
        F("proxyVmSize", "str", since=V2021),
        F("containerInstanceSubnetId", "str", format="id:subnet", since=V2024),
    ),
    swagger="VirtualNetworkConfig",
    model="VnetConfig",
    note=_DOCUMENT_VM,
)
VM_PROFILE = Shape(
    "VmProfile",
    (
        F("vmSize", "str"),
        F("osDiskSizeGB", "int", minimum=0, note=_DOCUMENT_VM),
        F("userAssignedIdentities", "strlist", format="id:identity", since=V2021),
        F("vnetConfig", "object", of=VNET_CONFIG, note=_DOCUMENT_VM),
    ),
    swagger="ImageTemplateVmProfile",
    model="VmProfile",
)
DATA_DISK = Shape(
    "DataDisk", (F("sizeGB", "int", minimum=0),), swagger="DataDisk", since=V2025, model="DataDisk"
)

# -- what the build does around the customizers -----------------------------------------------------------
VM_BOOT_OPTIMIZATION = Shape(
    "VmBootOptimization",
    (F("state", "str", enum=_ON_OFF),),
    swagger="ImageTemplateProperties.optimize.vmBoot",
    since=V2022_07,
    model="VmBootOptimization",
)
WORKLOAD_OPTIMIZATION = Shape(
    "WorkloadOptimization",
    (F("state", "str", enum=_ON_OFF), F("scriptUri", "str", format="url"), _SHA256),
    swagger="ImageTemplateProperties.optimize.workload",
    since=V2025,
    model="WorkloadOptimization",
)
OPTIMIZE = Shape(
    "Optimize",
    (
        F("vmBoot", "object", of=VM_BOOT_OPTIMIZATION),
        F("workload", "object", of=WORKLOAD_OPTIMIZATION, since=V2025),
    ),
    swagger="ImageTemplateProperties.optimize",
    since=V2022_07,
    model="Optimize",
)
VALIDATION = Shape(
    "Validation",
    (
        F("continueDistributeOnFailure", "bool"),
        F("sourceValidationOnly", "bool"),
        F("inVMValidations", "objlist", of=VALIDATORS),
    ),
    swagger="ImageTemplateProperties.validate",
    since=V2022_02,
    model="Validation",
)
_ON_ERROR = ("cleanup", "abort")
ERROR_HANDLING = Shape(
    "ErrorHandling",
    (F("onCustomizerError", "str", enum=_ON_ERROR), F("onValidationError", "str", enum=_ON_ERROR)),
    swagger="ImageTemplateProperties.errorHandling",
    since=V2023,
    model="ErrorHandling",
)
AUTO_RUN = Shape(
    "AutoRun",
    (F("state", "str", enum=_ON_OFF),),
    swagger="ImageTemplateAutoRun",
    since=V2024,
    model="AutoRun",
)

# -- what the service reports ------------------------------------------------------------------------------
PROVISIONING_ERROR = Shape(
    "ProvisioningError",
    (F("provisioningErrorCode", "str"), F("message", "str")),
    swagger="ProvisioningError",
    model="ProvisioningError",
)
LAST_RUN_STATUS = Shape(
    "LastRunStatus",
    (
        F("startTime", "str"),
        F("endTime", "str"),
        F("runState", "str"),
        F("runSubState", "str"),
        F("message", "str"),
    ),
    swagger="ImageTemplateLastRunStatus",
    model="LastRunStatus",
)
SYSTEM_DATA = Shape(
    "SystemData",
    (
        F("createdBy", "str"),
        F("createdByType", "str"),
        F("createdAt", "str"),
        F("lastModifiedBy", "str"),
        F("lastModifiedByType", "str"),
        F("lastModifiedAt", "str"),
    ),
    model="SystemData",
)

# -- the template ------------------------------------------------------------------------------------------
PROPERTIES = Shape(
    "ImageTemplateProperties",
    (
        F("source", "object", of=SOURCES, required=True),
        F("customize", "objlist", of=CUSTOMIZERS),
        F("optimize", "object", of=OPTIMIZE, since=V2022_07),
        F("validate", "object", of=VALIDATION, python="validation", since=V2022_02),
        F("distribute", "objlist", of=DISTRIBUTORS, required=True),
        F("errorHandling", "object", of=ERROR_HANDLING, since=V2023),
        F("provisioningState", "str", read_only=True),
        F("provisioningError", "object", of=PROVISIONING_ERROR, read_only=True),
        F("lastRunStatus", "object", of=LAST_RUN_STATUS, read_only=True),
        F("buildTimeoutInMinutes", "int", minimum=0, maximum=960),
        F("vmProfile", "object", of=VM_PROFILE),
        F("additionalDataDisks", "objlist", of=DATA_DISK, since=V2025),
        F("stagingResourceGroup", "str", format="id:resourceGroup", since=V2022_02),
        F("exactStagingResourceGroup", "str", since=V2022_02, read_only=True),
        F("autoRun", "object", of=AUTO_RUN, since=V2024),
        F("managedResourceTags", "strmap", since=V2024),
    ),
    swagger="ImageTemplateProperties",
)

USER_ASSIGNED_IDENTITY = Shape(
    "UserAssignedIdentityDetails",
    (F("principalId", "str", read_only=True), F("clientId", "str", read_only=True)),
    # A definition of its own from 2022-02-14 on; an inline map value before.
    swagger=None,
)
IDENTITY = Shape(
    "UserAssignedIdentity",
    (
        F("type", "str", required=True, enum=("UserAssigned", "None")),
        F("userAssignedIdentities", "objmap", of=USER_ASSIGNED_IDENTITY),
    ),
    swagger="ImageTemplateIdentity",
    model="UserAssignedIdentity",
)

_ARM = "an ARM resource key (deployment templates); kept, not checked"
TEMPLATE = Shape(
    "ImageTemplate",
    (
        F("type", "str"),
        F("apiVersion", "str"),
        F("location", "str", required=True, format="region", doc="the region where the image is built"),
        F("tags", "strmap"),
        F("identity", "object", of=IDENTITY, required_until=None),
        F("dependsOn", "strlist", note=_ARM),
        F("properties", "object", of=PROPERTIES, required=True),
        F("name", "any", note=_ARM),
        F("id", "any", read_only=True),
        F("systemData", "object", of=SYSTEM_DATA, since=V2021, read_only=True),
        F("comments", "any", note=_ARM),
        F("condition", "any", note=_ARM),
        F("copy", "any", note=_ARM),
        F("scope", "any", note=_ARM),
    ),
    swagger="ImageTemplate",
)

# -- triggers (a child resource of the template: imageTemplates/{name}/triggers/{trigger}) ----------------
TRIGGER_STATUS = Shape(
    "TriggerStatus",
    (F("code", "str", read_only=True), F("message", "str", read_only=True), F("time", "str", read_only=True)),
    swagger="TriggerStatus",
    since=V2022_07,
    model="TriggerStatus",
)
_ARM_READ = "an ARM resource key of the trigger (common-types ProxyResource); read-only"
SOURCE_IMAGE_TRIGGER = Shape(
    "Trigger",
    (
        _tag("kind"),
        F("status", "object", of=TRIGGER_STATUS, read_only=True),
        F("provisioningState", "str", read_only=True),
        F("id", "any", read_only=True, note=_ARM_READ),
        F("name", "any", read_only=True, note=_ARM_READ),
    ),
    swagger="SourceImageTriggerProperties",
    tag="SourceImage",
    since=V2022_07,
    model="Trigger",
)
TRIGGERS = Family("trigger", (SOURCE_IMAGE_TRIGGER,), discriminator="kind", swagger="TriggerProperties")

#: Every family, for the models' discriminators and the schema.
FAMILIES: tuple[Family, ...] = (SOURCES, CUSTOMIZERS, VALIDATORS, DISTRIBUTORS, VERSIONERS, TRIGGERS)


def shapes() -> list[Shape]:
    """Every shape reachable from the template (and the template's triggers), each once, parents first.

    Example:
        >>> [s.name for s in shapes()][:2]
        ['ImageTemplate', 'UserAssignedIdentity']
    """
    seen: dict[str, Shape] = {}

    def visit(shape: Shape) -> None:
        if shape.name in seen:
            return
        seen[shape.name] = shape
        for f in shape.fields:
            if isinstance(f.of, Shape):
                visit(f.of)
            elif isinstance(f.of, Family):
                for member in f.of.members:
                    visit(member)

    visit(TEMPLATE)
    for member in TRIGGERS.members:  # a resource of its own, beside the template
        visit(member)
    return list(seen.values())


def wire_names() -> dict[str, str]:
    """Python name -> wire name, wherever the two differ beyond camelCase (the models' aliases).

    Example:
        >>> wire_names()["os_disk_size_gb"], wire_names()["validation"]
        ('osDiskSizeGB', 'validate')
    """
    out: dict[str, str] = {}
    for shape in shapes():
        for f in shape.fields:
            out.setdefault(f.python, f.wire)
    return out
