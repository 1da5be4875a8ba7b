"""The user-assigned managed identity Image Builder uses to read scripts and write images."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from ._base import Map, WireModel


class UserAssignedIdentity(WireModel):
    """Exactly one user-assigned managed identity (``type`` ``UserAssigned``).

    Example:
        >>> ident = UserAssignedIdentity.from_id(
        ...     "/subscriptions/s/resourceGroups/rg/providers/"
        ...     "Microsoft.ManagedIdentity/userAssignedIdentities/aib"
        ... )
        >>> ident.to_wire()["type"]
        'UserAssigned'
    """

    type: str = "UserAssigned"
    # The service answers {"principalId", "clientId"} (or null) per identity; requests send {}.
    user_assigned_identities: Map[str, Mapping[str, Any] | None] = Field(default_factory=dict)

    @classmethod
    def from_id(cls, resource_id: str) -> UserAssignedIdentity:
        """The identity block for one identity resource id."""
        return cls(user_assigned_identities={resource_id: {}})

    @property
    def resource_ids(self) -> list[str]:
        """The identity resource ids, in the order written."""
        return list(self.user_assigned_identities)
