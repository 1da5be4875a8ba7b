"""The Image Builder template: where the build starts, what it does, where the image goes."""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated, Any

from pydantic import BeforeValidator, PrivateAttr

from .. import _fields as D
from .._constants import DEFAULT_API_VERSION, RESOURCE_TYPE
from ._base import ArmExpression, Map, Seq, WireModel
from ._build import AutoRun, ErrorHandling, Optimize
from ._customizer import Customizer
from ._distributor import Distributor
from ._enums import ProvisioningState, open_enum
from ._identity import UserAssignedIdentity
from ._profile import DataDisk, VmProfile
from ._source import Source
from ._status import LastRunStatus, ProvisioningError, SystemData
from ._validator import Validation

_READ_ONLY_IDENTITY_KEYS = frozenset({"principalid", "clientid"})


class ImageTemplate(WireModel):
    """An Azure VM Image Builder template, immutable; build it in Python or load it from JSON.

    ``id``, ``provisioning_state``, ``provisioning_error`` and ``last_run_status`` are filled in only by the
    service (see :meth:`from_arm`) and never written by :meth:`to_arm`; ``name``, the resource's (from the
    service or a deployment template), is written by :meth:`to_arm` and left to the URL by
    :meth:`to_resource_body`.

    Example:
        >>> from azimagebuilder import ImageTemplate, PlatformImageSource, ShellCustomizer, VhdDistributor
        >>> template = ImageTemplate(
        ...     location="westus2",
        ...     source=PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS"),
        ...     customize=[ShellCustomizer(name="hello", inline=["echo hello"])],
        ...     distribute=[VhdDistributor(run_output_name="vhd")],
        ... )
        >>> template.to_arm()["properties"]["distribute"]
        [{'type': 'VHD', 'runOutputName': 'vhd'}]
    """

    location: str
    source: Source
    distribute: Seq[Distributor]
    customize: Seq[Customizer] = ()
    tags: Map[str, str] | None = None
    identity: UserAssignedIdentity | None = None
    depends_on: Seq[str] | None = None
    vm_profile: VmProfile | None = None
    build_timeout_in_minutes: int | ArmExpression | None = None
    #: In-VM validation after customization (wire ``validate``; 2022-02-14 and later).
    validation: Validation | None = None
    #: The resource group (id) Image Builder builds in, instead of one it creates (2022-02-14 and later).
    staging_resource_group: str | None = None
    #: Faster VM boot / workload optimization (2022-07-01 and later).
    optimize: Optimize | None = None
    #: Keep the build VM after a failure (2023-07-01 and later).
    error_handling: ErrorHandling | None = None
    #: Run the build when the template is created (2024-02-01 and later).
    auto_run: AutoRun | None = None
    #: Tags for the resources Image Builder creates in the staging resource group (2024-02-01 and later).
    managed_resource_tags: Map[str, str] | None = None
    #: Extra empty data disks of the build VM (2025-10-01 and later).
    additional_data_disks: Seq[DataDisk] | None = None

    # Read-only: the service's answer only.
    id: str | None = None
    name: str | None = None
    provisioning_state: Annotated[
        ProvisioningState | str | None, BeforeValidator(partial(open_enum, ProvisioningState))
    ] = None
    provisioning_error: ProvisioningError | None = None
    last_run_status: LastRunStatus | None = None
    #: The staging resource group the service used (2022-02-14 and later).
    exact_staging_resource_group: str | None = None
    system_data: SystemData | None = None

    # ARM resource keys this model has no field for ("comments", "condition", ...), kept for to_arm().
    _resource_extra: dict[str, Any] = PrivateAttr(default_factory=dict)
    # The apiVersion the template was loaded with (to_arm() writes it back unless told otherwise).
    _api_version: str | None = PrivateAttr(default=None)

    @property
    def api_version(self) -> str | None:
        """The ``apiVersion`` the template was loaded with, or ``None`` for one built in Python."""
        return self._api_version

    def __eq__(self, other: object) -> bool:
        # Equal when they hold the same values and would be written the same way: a template loaded from
        # JSON that declared the default apiVersion equals the same template built in Python.
        if not isinstance(other, ImageTemplate):
            return NotImplemented
        return (
            self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
            and self._resource_extra == other._resource_extra
            and (self._api_version or DEFAULT_API_VERSION) == (other._api_version or DEFAULT_API_VERSION)
        )

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_arm(), sort_keys=True, default=str))

    def _repr_html_(self) -> str:
        """A notebook summary: the source, each step and each output, one table row each."""
        from ._display import template_html

        return template_html(self)

    # -- writing -------------------------------------------------------------------------------------
    def _properties(self) -> dict[str, Any]:
        props: dict[str, Any] = {}
        if self.build_timeout_in_minutes is not None:
            props["buildTimeoutInMinutes"] = self.build_timeout_in_minutes
        if self.vm_profile is not None:
            props["vmProfile"] = self.vm_profile.to_wire()
        props["source"] = self.source.to_wire()
        if self.customize or "customize" in self.model_fields_set:
            props["customize"] = [c.to_wire() for c in self.customize]
        props["distribute"] = [d.to_wire() for d in self.distribute]
        for spec in _NEWER_PROPERTIES:
            value = getattr(self, spec.python)
            if value is not None:
                props[spec.wire] = _wire(value)
        # Unknown properties (kept from the input, see docs/validation.md) go back where they came from.
        for key, value in (self.model_extra or {}).items():
            props[key] = value
        return props

    def _identity(self) -> dict[str, Any] | None:
        if self.identity is None:
            return None
        wire = self.identity.to_wire()
        wire["userAssignedIdentities"] = {
            rid: {k: v for k, v in (value or {}).items() if k.lower() not in _READ_ONLY_IDENTITY_KEYS}
            for rid, value in self.identity.user_assigned_identities.items()
        }
        return wire

    def to_arm(self, *, api_version: str | None = None) -> dict[str, Any]:
        """The template as the document writes it: ``type``, ``apiVersion``, ``name``, ..., ``properties``.

        A resource of a deployment template: ``name`` is kept when the template has one (a PUT body, from
        :meth:`to_resource_body`, leaves it to the URL). ``api_version`` defaults to the version the template
        was loaded with, else ``"2019-05-01-preview"``. Read-only fields are left out.

        Example:
            >>> from azimagebuilder import load_template
            >>> doc = {"type": "Microsoft.VirtualMachineImages/imageTemplates",
            ...        "apiVersion": "2019-05-01-preview", "location": "westus2",
            ...        "properties": {"source": {"type": "PlatformImage", "publisher": "Canonical",
            ...            "offer": "UbuntuServer", "sku": "18.04-LTS", "version": "latest"},
            ...            "distribute": [{"type": "VHD", "runOutputName": "vhd"}]}}
            >>> load_template(doc).to_arm() == doc
            True
        """
        out: dict[str, Any] = {
            "type": RESOURCE_TYPE,
            "apiVersion": api_version or self._api_version or DEFAULT_API_VERSION,
        }
        if self.name is not None:
            out["name"] = self.name
        out["location"] = self.location
        if self.tags is not None:
            out["tags"] = dict(self.tags)
        identity = self._identity()
        if identity is not None:
            out["identity"] = identity
        if self.depends_on is not None:
            out["dependsOn"] = list(self.depends_on)
        out.update(self._resource_extra)
        out["properties"] = self._properties()
        return out

    def to_resource_body(self) -> dict[str, Any]:
        """The PUT request body: ``{"location", "tags", "identity", "properties"}`` (absent keys left out).

        Example:
            >>> from azimagebuilder import ImageTemplate, PlatformImageSource, VhdDistributor
            >>> body = ImageTemplate(location="westus2", source=PlatformImageSource(publisher="Canonical",
            ...     offer="UbuntuServer", sku="18.04-LTS"), distribute=[VhdDistributor(run_output_name="v")]
            ... ).to_resource_body()
            >>> sorted(body)
            ['location', 'properties']
        """
        body: dict[str, Any] = {"location": self.location}
        if self.tags is not None:
            body["tags"] = dict(self.tags)
        identity = self._identity()
        if identity is not None:
            body["identity"] = identity
        body["properties"] = self._properties()
        return body

    def to_wire(self) -> dict[str, Any]:
        """Same as :meth:`to_arm`."""
        return self.to_arm()

    # -- reading -------------------------------------------------------------------------------------
    @classmethod
    def from_arm(cls, data: dict[str, Any]) -> ImageTemplate:
        """Read the document form or the service's GET answer (read-only fields filled in).

        No checks run here (see :func:`azimagebuilder.validate` and :func:`azimagebuilder.load_template`);
        a value of the wrong shape raises :class:`azimagebuilder.TemplateValidationError`.

        Example:
            >>> t = ImageTemplate.from_arm({"id": "/subscriptions/s/.../imageTemplates/t", "name": "t",
            ...     "location": "westus2", "properties": {"provisioningState": "Succeeded",
            ...     "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "UbuntuServer",
            ...     "sku": "18.04-LTS", "version": "latest"},
            ...     "distribute": [{"type": "VHD", "runOutputName": "v"}],
            ...     "lastRunStatus": {"runState": "Running", "endTime": "0001-01-01T00:00:00Z"}}})
            >>> t.name, t.provisioning_state == "succeeded", t.last_run_status.end_time
            ('t', True, None)
        """
        from ._convert import template_from_document

        return template_from_document(cls, data)


# Properties written after ``distribute``, in the declared order (the older ones are written above, in the
# template document's order).
_NEWER_PROPERTIES = tuple(
    f
    for f in D.PROPERTIES.fields
    if not f.read_only
    and f.wire not in ("source", "customize", "distribute", "buildTimeoutInMinutes", "vmProfile")
)


def _wire(value: Any) -> Any:
    if isinstance(value, WireModel):
        return value.to_wire()
    if isinstance(value, tuple | list):
        return [_wire(v) for v in value]
    if isinstance(value, dict):
        return dict(value)
    return value
