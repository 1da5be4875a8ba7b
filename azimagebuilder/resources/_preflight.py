"""``preflight``: the checks of a template that need Azure, reported as :func:`~azimagebuilder.validate` does.

This module is private: the public names are ``azimagebuilder.resources.preflight`` (the function) and
``azimagebuilder.resources.PREFLIGHT_CODES``.

:func:`azimagebuilder.validate` checks the document on its own. ``preflight`` asks Azure what the document
cannot know: is the subscription registered for Image Builder, does the source image exist in the template's
region, do the destination resource group, gallery and image definition exist, do ``replicationRegions``
include the gallery's region, does the identity exist and hold a role where the images are written.

Every finding is a :class:`~azimagebuilder.validation.Problem` with a JSON path, a stable code (below) and a
message that says what to do. A check that could not run (no permission, a transient fault) is a
``preflight-check-failed`` warning naming the permission, never a false error.

Codes:

============================================== ============================================================
``provider-not-registered``                     a resource provider is not registered (path ``type`` for
                                                Microsoft.VirtualMachineImages, else the template root)
``platform-image-not-found``                    no such publisher/offer/sku in the region
``platform-image-version-not-found``            a pinned version does not exist
``source-image-not-found``                      the managed image / gallery image version does not exist
``source-image-wrong-region``                   the managed image is in another region
``source-image-not-replicated``                 the gallery image version is not replicated to the region
``source-image-id-invalid``                     the source id is not a resource id of the right kind
``target-resource-group-not-found``             a distribution's resource group does not exist
``target-id-invalid``                           a distribution's id is not a resource id
``gallery-not-found`` / ``gallery-image-not-found``  the gallery / image definition does not exist
``replication-regions-missing-gallery-region``  ``replicationRegions`` lacks the gallery's region
``identity-not-found``                          the user-assigned identity does not exist
``identity-missing-role`` (warning)             no role assignment for the identity on a destination group
``template-resource-group-not-found``           the group the template is to be created in does not exist
``preflight-check-failed`` (warning)            a check could not run; the message names the permission
============================================== ============================================================

Example:
    >>> from azimagebuilder.resources import preflight
    >>> report = preflight(template, credential=credential, subscription_id=sub)  # doctest: +SKIP
    >>> [(p.path, p.code) for p in report.errors]  # doctest: +SKIP
    [('properties.source.imageId', 'source-image-wrong-region')]
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._constants import ARM_ENDPOINT, RESOURCE_PROVIDER
from . import compute as _compute
from .providers import IMAGE_BUILDER_PROVIDERS

if TYPE_CHECKING:  # pragma: no cover
    from azure.core.credentials import TokenCredential

    from ..models import ImageTemplate
    from ..validation import Problem, ValidationReport

__all__ = ["PREFLIGHT_CODES", "preflight"]

_LOG = logging.getLogger("azimagebuilder.resources.preflight")

PROVIDER_NOT_REGISTERED = "provider-not-registered"
IDENTITY_NOT_FOUND = "identity-not-found"
IDENTITY_MISSING_ROLE = "identity-missing-role"
TEMPLATE_RESOURCE_GROUP_NOT_FOUND = "template-resource-group-not-found"

#: Every code ``preflight`` can report.
PREFLIGHT_CODES: tuple[str, ...] = (
    PROVIDER_NOT_REGISTERED,
    _compute.PLATFORM_IMAGE_NOT_FOUND,
    _compute.PLATFORM_IMAGE_VERSION_NOT_FOUND,
    _compute.SOURCE_IMAGE_NOT_FOUND,
    _compute.SOURCE_IMAGE_WRONG_REGION,
    _compute.SOURCE_IMAGE_NOT_REPLICATED,
    _compute.SOURCE_IMAGE_ID_INVALID,
    _compute.TARGET_RESOURCE_GROUP_NOT_FOUND,
    _compute.TARGET_ID_INVALID,
    _compute.GALLERY_NOT_FOUND,
    _compute.GALLERY_IMAGE_NOT_FOUND,
    _compute.REPLICATION_REGIONS_MISSING_GALLERY_REGION,
    IDENTITY_NOT_FOUND,
    IDENTITY_MISSING_ROLE,
    TEMPLATE_RESOURCE_GROUP_NOT_FOUND,
    _compute.CHECK_FAILED,
)


def _document(template: Any) -> dict[str, Any] | ValidationReport:
    """The template's document form, or the loader's report when it cannot be read."""
    from .._errors import TemplateValidationError
    from ..loading import TemplateWarning, load_template
    from ..models import ImageTemplate
    from ..validation import ValidationReport

    if not isinstance(template, ImageTemplate):
        try:
            # The document's own warnings (ARM expressions, unknown fields, ...) are validate()'s to report;
            # preflight reports what Azure says, and does not repeat them.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", TemplateWarning)
                template = load_template(template)
        except TemplateValidationError as exc:
            return ValidationReport(errors=list(exc.errors), warnings=list(exc.warnings))
    document: dict[str, Any] = template.to_arm()
    return document


def _check_providers(
    credential: TokenCredential, subscription_id: str, namespaces: Iterable[str], base_url: str, kwargs: Any
) -> list[Problem]:
    from azure.core.exceptions import HttpResponseError

    from .providers import check_providers

    try:
        statuses = check_providers(credential, subscription_id, namespaces, base_url=base_url, **kwargs)
    except HttpResponseError as exc:
        return [
            _compute._check_failed(
                "", "resource provider registration", exc, "Microsoft.Resources/subscriptions/providers/read"
            )
        ]
    problems = []
    for status in statuses:
        if status.registered:
            continue
        path = "type" if status.namespace.lower() == RESOURCE_PROVIDER.lower() else ""
        problems.append(
            _compute._problem(
                path,
                PROVIDER_NOT_REGISTERED,
                f"the subscription is not registered for {status.namespace} ({status.registration_state}); "
                "register it with register_providers(credential, subscription_id, "
                f"[{status.namespace!r}]) or "
                f"`az provider register -n {status.namespace}` (needs Contributor on the subscription)",
            )
        )
    return problems


def _identity_ids(document: Mapping[str, Any]) -> list[str]:
    identity = document.get("identity")
    if not isinstance(identity, Mapping):
        return []
    ids = _compute._get(identity, "userAssignedIdentities")
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, Mapping) else []


def _destination_groups(distribute: Any) -> list[tuple[str, str]]:
    """(path, resource group scope) of each managedImage / sharedImage distribution."""
    found: list[tuple[str, str]] = []
    for index, item in enumerate(distribute if isinstance(distribute, list) else []):
        if not isinstance(item, Mapping):
            continue
        key = {"managedimage": "imageId", "sharedimage": "galleryImageId"}.get(
            str(_compute._get(item, "type") or "").lower()
        )
        target_id = _compute._get(item, key) if key else None
        parts = None if _compute._unresolved(target_id) else _compute._parse_id(target_id)
        if parts and parts.get("resource_group"):
            scope = f"/subscriptions/{parts['subscription']}/resourceGroups/{parts['resource_group']}"
            found.append((f"properties.distribute[{index}]", scope))
    return found


def _check_identity(
    credential: TokenCredential,
    subscription_id: str,
    document: Mapping[str, Any],
    base_url: str,
    kwargs: Any,
) -> list[Problem]:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    from .identity import _auth_client, _msi_client

    problems: list[Problem] = []
    path = "identity.userAssignedIdentities"
    for identity_id in _identity_ids(document):
        parts = None if _compute._unresolved(identity_id) else _compute._parse_id(identity_id)
        if parts is None or parts.get("type", "").lower() != "userassignedidentities":
            continue  # validate() reports a malformed id
        with _msi_client(credential, parts["subscription"], base_url, kwargs) as client:
            try:
                identity = client.user_assigned_identities.get(parts["resource_group"], parts["name"])
            except ResourceNotFoundError:
                problems.append(
                    _compute._problem(
                        path,
                        IDENTITY_NOT_FOUND,
                        f"the identity {parts['name']} does not exist in resource group "
                        f"{parts['resource_group']}; create it with create_image_builder_identity(...)",
                    )
                )
                continue
            except HttpResponseError as exc:
                problems.append(
                    _compute._check_failed(
                        path, "the identity", exc, "Microsoft.ManagedIdentity/userAssignedIdentities/read"
                    )
                )
                continue
        principal = identity.principal_id
        with _auth_client(credential, subscription_id, base_url, kwargs) as auth:
            for where, scope in _destination_groups(
                _compute._get(document.get("properties") or {}, "distribute")
            ):
                try:
                    assignments = list(
                        auth.role_assignments.list_for_scope(scope, filter=f"principalId eq '{principal}'")
                    )
                except ResourceNotFoundError:
                    continue  # the missing group is reported by the target checks
                except HttpResponseError as exc:
                    problems.append(
                        _compute._check_failed(
                            where,
                            "the identity's role assignments",
                            exc,
                            "Microsoft.Authorization/roleAssignments/read",
                        )
                    )
                    continue
                if not assignments:
                    problems.append(
                        _compute._problem(
                            where,
                            IDENTITY_MISSING_ROLE,
                            f"the identity {parts['name']} has no role on {scope.rsplit('/', 1)[-1]}, where "
                            "this distribution writes its image; grant it with "
                            "grant_image_builder_roles(...) (a role through a group membership does not "
                            "show here)",
                            "warning",
                        )
                    )
    return problems


def preflight(
    template: ImageTemplate | Mapping[str, Any] | str | Any,
    *,
    credential: TokenCredential,
    subscription_id: str,
    resource_group: str | None = None,
    providers: Iterable[str] | None = IMAGE_BUILDER_PROVIDERS,
    base_url: str = ARM_ENDPOINT,
    **kwargs: Any,
) -> ValidationReport:
    """Check a template against Azure: providers, source image, distribution targets, identity.

    Args:
        template: an :class:`~azimagebuilder.ImageTemplate`, or anything :func:`~azimagebuilder.load_template`
            reads (a dict, JSON text, a path). A template that cannot be loaded returns the loader's report;
            the document's own warnings are :func:`~azimagebuilder.validate`'s and are not repeated. Values
            that are ARM expressions (``[parameters('x')]``) are skipped: only a deployment knows them.
        credential: an azure-core ``TokenCredential`` (``DefaultAzureCredential()``, or the emulator's).
        subscription_id: the subscription the template is to be created in.
        resource_group: the group the template is to be created in; checked when given.
        providers: the resource providers that must be registered (``None``: skip that check).
        base_url: the ARM endpoint (the emulator's ``base_url`` in tests).
        **kwargs: azure-core pipeline options for the azure-mgmt clients (``connection_verify``,
            ``transport``, ...).

    Needs read access: Reader on the subscription covers every check.

    Example:
        >>> report = preflight(template, credential=cred, subscription_id=sub)  # doctest: +SKIP
        >>> report.ok  # doctest: +SKIP
        True
    """
    from ..validation import ValidationReport

    document = _document(template)
    if isinstance(document, ValidationReport):
        return document
    properties = document.get("properties") or {}
    location = str(document.get("location") or "")
    problems: list[Problem] = []
    if providers is not None:
        problems += _check_providers(credential, subscription_id, providers, base_url, kwargs)
    if resource_group and not _compute.check_resource_group(
        credential, subscription_id, resource_group, base_url=base_url, **kwargs
    ):
        problems.append(
            _compute._problem(
                "",
                TEMPLATE_RESOURCE_GROUP_NOT_FOUND,
                f"resource group {resource_group} does not exist; create it before creating the template",
            )
        )
    source = _compute._get(properties, "source")
    if isinstance(source, Mapping) and location:
        problems += _compute.check_source(
            credential, subscription_id, source, location, base_url=base_url, **kwargs
        )
    distribute = _compute._get(properties, "distribute")
    if isinstance(distribute, list):
        problems += _compute.check_distribution_targets(
            credential, subscription_id, distribute, base_url=base_url, **kwargs
        )
    problems += _check_identity(credential, subscription_id, document, base_url, kwargs)
    _LOG.debug("preflight found %d problem(s)", len(problems))
    return ValidationReport(
        errors=[p for p in problems if p.severity == "error"],
        warnings=[p for p in problems if p.severity != "error"],
    )
