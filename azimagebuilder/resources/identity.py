"""The identity Image Builder builds as: a user-assigned managed identity with just the roles it needs.

Image Builder (api-version 2020-02-14 and later) requires a user-assigned managed identity on the template.
The service acts as that identity to write the image (managed image, gallery image version) into the image
resource group, and to read scripts and files from storage without making them public. This module creates
the identity and grants it:

- on the image resource group, by default a **custom role** holding only the seven actions Microsoft
  documents for "Azure Image Builder Service Image Creation Role" (read galleries and definitions, write
  versions, read/write/delete managed images). Least privilege, but creating a role definition needs
  ``Microsoft.Authorization/roleDefinitions/write`` (Owner or User Access Administrator).
  ``image_role="Contributor"`` (or any built-in role name) assigns that role instead: broader than needed,
  but works for callers who may assign roles and not define them (for example
  "Role Based Access Control Administrator").
- ``Storage Blob Data Reader`` on a storage account (``storage_account_id``), the minimum the template
  document asks for so the build VM can download scripts through the identity.

Role assignments get deterministic GUID names (derived from scope, principal and role), so running this
again changes nothing: Azure answers the repeat with the same assignment, or ``409 RoleAssignmentExists``
when an equal assignment exists under another name, which counts as done.

Example:
    >>> from azimagebuilder.resources.identity import create_image_builder_identity
    >>> identity = create_image_builder_identity(
    ...     credential, "<subscription-id>", "identityRG", "aibIdentity",
    ...     location="westus2", image_resource_group="imageRG", storage_account_id=storage_id,
    ... )  # doctest: +SKIP
    >>> template = template.model_copy(update={"identity": identity})  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._constants import ARM_ENDPOINT
from .providers import _mgmt_client

if TYPE_CHECKING:  # pragma: no cover
    from azure.core.credentials import TokenCredential

    from ..models import UserAssignedIdentity

__all__ = [
    "IMAGE_BUILDER_ROLE_ACTIONS",
    "STORAGE_BLOB_DATA_READER",
    "ManagedIdentity",
    "create_identity",
    "create_image_builder_identity",
    "grant_image_builder_roles",
    "image_builder_role_definition",
    "role_assignment_name",
]

_LOG = logging.getLogger("azimagebuilder.resources.identity")

#: The actions of Microsoft's documented "Azure Image Builder Service Image Creation Role".
IMAGE_BUILDER_ROLE_ACTIONS: tuple[str, ...] = (
    "Microsoft.Compute/galleries/read",
    "Microsoft.Compute/galleries/images/read",
    "Microsoft.Compute/galleries/images/versions/read",
    "Microsoft.Compute/galleries/images/versions/write",
    "Microsoft.Compute/images/write",
    "Microsoft.Compute/images/read",
    "Microsoft.Compute/images/delete",
)

#: The built-in role the template document asks for on the storage account holding scripts.
STORAGE_BLOB_DATA_READER = "Storage Blob Data Reader"

# Namespace of the deterministic GUIDs (role assignment and custom role names). Never change it: that
# would make a re-run create duplicates instead of finding what the first run made.
_NAMESPACE = uuid.UUID("0b3f7c2e-9d41-4f6a-8c1e-5a2b7d9e4f10")
_ROLES = "/providers/Microsoft.Authorization/roleDefinitions"


@dataclass(frozen=True)
class ManagedIdentity:
    """A user-assigned managed identity as Azure created it.

    ``id`` goes into the template's identity block; ``principal_id`` is what role assignments name.
    """

    id: str
    name: str
    location: str
    principal_id: str
    client_id: str

    def template_identity(self) -> UserAssignedIdentity:
        """The template's ``identity`` block for this identity.

        Example:
            >>> ident_id = "/subscriptions/s/resourcegroups/g/providers/Microsoft.ManagedIdentity/"
            >>> ident_id += "userAssignedIdentities/aib"
            >>> block = ManagedIdentity(ident_id, "aib", "westus2", "p", "c").template_identity()
            >>> block.resource_ids == [ident_id]
            True
        """
        from ..models import UserAssignedIdentity

        return UserAssignedIdentity.from_id(self.id)


def role_assignment_name(scope: str, principal_id: str, role_definition_id: str) -> str:
    """The GUID name of the assignment of a role to a principal at a scope: the same inputs, the same name.

    Case-insensitive, as ARM ids are.

    Example:
        >>> a = role_assignment_name("/subscriptions/s/resourceGroups/rg", "p", "r")
        >>> a == role_assignment_name("/SUBSCRIPTIONS/s/resourcegroups/RG", "P", "R")
        True
    """
    key = "|".join(part.lower() for part in (scope.rstrip("/"), principal_id, role_definition_id))
    return str(uuid.uuid5(_NAMESPACE, key))


def image_builder_role_definition(scope: str) -> tuple[str, dict[str, Any]]:
    """The custom image-creation role for one resource group: its GUID and its ``PUT`` body.

    The name carries the group's name and a short hash of the scope, because custom role names must be
    unique in the whole tenant.

    Example:
        >>> guid, body = image_builder_role_definition("/subscriptions/s/resourceGroups/imageRG")
        >>> body["properties"]["roleName"]
        'Azure Image Builder Image Creation (imageRG, ea6ee433)'
    """
    normalized = scope.rstrip("/")
    digest = hashlib.sha256(normalized.lower().encode()).hexdigest()[:8]
    group = normalized.rsplit("/", 1)[-1]
    body = {
        "properties": {
            "roleName": f"Azure Image Builder Image Creation ({group}, {digest})",
            "description": "Lets Azure VM Image Builder write managed images and gallery image versions "
            "in this resource group (created by azimagebuilder).",
            "type": "CustomRole",
            "permissions": [
                {
                    "actions": list(IMAGE_BUILDER_ROLE_ACTIONS),
                    "notActions": [],
                    "dataActions": [],
                    "notDataActions": [],
                }
            ],
            "assignableScopes": [normalized],
        }
    }
    return str(uuid.uuid5(_NAMESPACE, "role|" + normalized.lower())), body


def _msi_client(
    credential: TokenCredential, subscription_id: str, base_url: str, kwargs: Any
) -> AbstractContextManager[Any]:
    from azure.mgmt.msi import ManagedServiceIdentityClient

    return _mgmt_client(ManagedServiceIdentityClient, credential, subscription_id, base_url, kwargs)


def _auth_client(
    credential: TokenCredential, subscription_id: str, base_url: str, kwargs: Any
) -> AbstractContextManager[Any]:
    from azure.mgmt.authorization import AuthorizationManagementClient

    return _mgmt_client(AuthorizationManagementClient, credential, subscription_id, base_url, kwargs)


def create_identity(
    credential: TokenCredential,
    subscription_id: str,
    resource_group: str,
    name: str,
    *,
    location: str,
    tags: Mapping[str, str] | None = None,
    base_url: str = ARM_ENDPOINT,
    **kwargs: Any,
) -> ManagedIdentity:
    """Create (or update) a user-assigned managed identity; idempotent.

    ``PUT .../providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}``. The resource group must
    exist. Needs ``Microsoft.ManagedIdentity/userAssignedIdentities/write`` (Managed Identity Contributor).

    Example:
        >>> ident = create_identity(
        ...     credential, sub, "identityRG", "aib", location="westus2"
        ... )  # doctest: +SKIP
        >>> ident.principal_id  # doctest: +SKIP
        '8f3c...'
    """
    from azure.mgmt.msi.models import Identity

    with _msi_client(credential, subscription_id, base_url, kwargs) as client:
        created = client.user_assigned_identities.create_or_update(
            resource_group, name, Identity(location=location, tags=dict(tags or {}))
        )
    return ManagedIdentity(
        id=created.id,
        name=created.name,
        location=created.location,
        principal_id=created.principal_id,
        client_id=created.client_id,
    )


def _resolve_role(client: Any, scope: str, role_name: str) -> str:
    quoted = role_name.replace("'", "''")  # OData escapes a quote by doubling it
    found = list(client.role_definitions.list(scope, filter=f"roleName eq '{quoted}'"))
    if not found:
        raise LookupError(f"no role named {role_name!r} is assignable at {scope}; check the spelling")
    role_id: str = found[0].id
    return role_id


def _ensure_custom_role(client: Any, scope: str) -> str:
    from azure.core.exceptions import ResourceExistsError
    from azure.mgmt.authorization.v2022_04_01.models import Permission, RoleDefinition

    guid, body = image_builder_role_definition(scope)
    properties = body["properties"]
    definition = RoleDefinition(
        role_name=properties["roleName"],
        description=properties["description"],
        role_type="CustomRole",
        permissions=[Permission(actions=list(IMAGE_BUILDER_ROLE_ACTIONS))],
        assignable_scopes=properties["assignableScopes"],
    )
    try:
        created = client.role_definitions.create_or_update(scope, guid, definition)
    except ResourceExistsError:
        # The same name under another id (made by hand, or by an older tool): use that role.
        return _resolve_role(client, scope, properties["roleName"])
    role_id: str = created.id
    return role_id


def _assign(
    client: Any,
    scope: str,
    principal_id: str,
    role_id: str,
    *,
    principal_wait: float,
    sleep: Callable[[float], None],
) -> str:
    from azure.core.exceptions import HttpResponseError, ResourceExistsError
    from azure.mgmt.authorization.v2022_04_01.models import RoleAssignmentCreateParameters

    name = role_assignment_name(scope, principal_id, role_id)
    # principalType tells Azure not to look the principal up in a directory replica that may not know a
    # brand-new identity yet; PrincipalNotFound can still happen for a few seconds, so retry it.
    parameters = RoleAssignmentCreateParameters(
        role_definition_id=role_id, principal_id=principal_id, principal_type="ServicePrincipal"
    )
    # Count the time waited rather than read the clock, so a replayed cassette makes the same attempts.
    waited = 0.0
    delay = 2.0
    while True:
        try:
            assignment = client.role_assignments.create(scope, name, parameters)
            assignment_id: str = assignment.id
            return assignment_id
        except ResourceExistsError as exc:
            if getattr(exc.error, "code", None) != "RoleAssignmentExists":
                raise
            _LOG.info("role already assigned at %s; nothing to do", scope)
            return (
                _existing_assignment(client, scope, principal_id, role_id)
                or f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
            )
        except HttpResponseError as exc:
            if getattr(exc.error, "code", None) != "PrincipalNotFound" or waited >= principal_wait:
                raise
            _LOG.info("identity not replicated yet; retrying the role assignment in %.0f s", delay)
            sleep(delay)
            waited += delay
            delay = min(delay * 2, 15.0)


def _existing_assignment(client: Any, scope: str, principal_id: str, role_id: str) -> str | None:
    wanted = role_id.rsplit("/", 1)[-1].lower()
    for assignment in client.role_assignments.list_for_scope(
        scope, filter=f"principalId eq '{principal_id}'"
    ):
        if str(assignment.role_definition_id).rsplit("/", 1)[-1].lower() == wanted:
            found: str = assignment.id
            return found
    return None


def grant_image_builder_roles(
    credential: TokenCredential,
    subscription_id: str,
    principal_id: str,
    *,
    image_resource_group: str,
    storage_account_id: str | None = None,
    image_role: str = "custom",
    principal_wait: float = 120.0,
    base_url: str = ARM_ENDPOINT,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> list[str]:
    """Grant a principal what Image Builder needs; returns the role assignment ids. Idempotent.

    - ``image_role="custom"`` (default): create (or reuse) the least-privilege custom role for the image
      resource group and assign it there; any other value is a built-in role name assigned there instead
      (``"Contributor"``).
    - ``storage_account_id``: also assign ``Storage Blob Data Reader`` on that storage account.

    ``PrincipalNotFound`` (a new identity not yet replicated) is retried for up to ``principal_wait``
    seconds. Needs ``Microsoft.Authorization/roleAssignments/write`` on the scopes (Owner, User Access
    Administrator or Role Based Access Control Administrator), and ``roleDefinitions/write`` for the
    custom role.

    Example:
        >>> grant_image_builder_roles(credential, sub, identity.principal_id, image_resource_group="imageRG")
        ... # doctest: +SKIP
        ['/subscriptions/.../resourceGroups/imageRG/providers/Microsoft.Authorization/roleAssignments/...']
    """
    group_scope = f"/subscriptions/{subscription_id}/resourceGroups/{image_resource_group}"
    ids: list[str] = []
    with _auth_client(credential, subscription_id, base_url, kwargs) as client:
        if image_role.lower() == "custom":
            role_id = _ensure_custom_role(client, group_scope)
        else:
            role_id = _resolve_role(client, group_scope, image_role)
        ids.append(
            _assign(client, group_scope, principal_id, role_id, principal_wait=principal_wait, sleep=sleep)
        )
        if storage_account_id:
            reader = _resolve_role(client, storage_account_id, STORAGE_BLOB_DATA_READER)
            ids.append(
                _assign(
                    client,
                    storage_account_id,
                    principal_id,
                    reader,
                    principal_wait=principal_wait,
                    sleep=sleep,
                )
            )
    return ids


def create_image_builder_identity(
    credential: TokenCredential,
    subscription_id: str,
    resource_group: str,
    name: str,
    *,
    location: str,
    image_resource_group: str | None = None,
    storage_account_id: str | None = None,
    image_role: str = "custom",
    tags: Mapping[str, str] | None = None,
    principal_wait: float = 120.0,
    base_url: str = ARM_ENDPOINT,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> UserAssignedIdentity:
    """Create the identity, grant it what Image Builder needs, and return the template's identity block.

    ``image_resource_group`` (default: ``resource_group``) is where the build writes images;
    ``storage_account_id`` is the account holding scripts (``Storage Blob Data Reader``). See
    :func:`grant_image_builder_roles` for ``image_role`` and the permissions needed. Running it again is
    harmless. ``kwargs`` go to the azure-mgmt clients' pipelines (``connection_verify``, ``transport``, ...).

    Example:
        >>> block = create_image_builder_identity(credential, sub, "imageRG", "aib", location="westus2")
        ... # doctest: +SKIP
        >>> block.to_wire()  # doctest: +SKIP
        {'type': 'UserAssigned', 'userAssignedIdentities': {'/subscriptions/.../aib': {}}}
    """
    identity = create_identity(
        credential,
        subscription_id,
        resource_group,
        name,
        location=location,
        tags=tags,
        base_url=base_url,
        **kwargs,
    )
    grant_image_builder_roles(
        credential,
        subscription_id,
        identity.principal_id,
        image_resource_group=image_resource_group or resource_group,
        storage_account_id=storage_account_id,
        image_role=image_role,
        principal_wait=principal_wait,
        base_url=base_url,
        sleep=sleep,
        **kwargs,
    )
    return identity.template_identity()
