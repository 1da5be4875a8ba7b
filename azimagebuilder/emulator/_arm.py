"""What Azure Resource Manager itself checks in a request's path, before any resource provider sees it.

ARM refuses a subscription id that is not a GUID (400 ``InvalidSubscriptionId``) and a resource group name
outside its rules (1 to 90 letters, digits, ``_``, ``(``, ``)``, ``-`` or ``.``, not ending in ``.``) at every
api-version of every provider, so the emulator does too, for every route with those path parameters.

Example:
    >>> check_path_names({"subscriptionId": "0a1b2c3d-0000-4000-8000-000000000000", "resourceGroupName": "a"})
    >>> valid_subscription_id("my-sub"), valid_resource_group_name("rg.")
    (False, False)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote

from ._router import ArmError

__all__ = ["check_path_names", "valid_resource_group_name", "valid_subscription_id"]

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_GROUP = re.compile(r"^[-\w._()]{1,90}$")


def valid_subscription_id(value: str) -> bool:
    """Whether ``value`` is a GUID, as ARM requires of a subscription id."""
    return _GUID.match(value) is not None


def valid_resource_group_name(value: str) -> bool:
    """Whether ``value`` follows ARM's resource group name rules."""
    return _GROUP.match(value) is not None and not value.endswith(".")


def check_path_names(params: Mapping[str, str]) -> None:
    """Raise ARM's 400 for a malformed subscription id or resource group name among path ``params``."""
    subscription = params.get("subscriptionId")
    if subscription is not None and not valid_subscription_id(unquote(subscription)):
        raise ArmError(
            400,
            "InvalidSubscriptionId",
            f"The provided subscription identifier '{unquote(subscription)}' is malformed or invalid.",
        )
    group = params.get("resourceGroupName")
    if group is not None and not valid_resource_group_name(unquote(group)):
        raise ArmError(
            400,
            "InvalidResourceGroupName",
            f"The resource group name '{unquote(group)}' is invalid: use 1 to 90 letters, digits, '_', "
            "'(', ')', '-' or '.', not ending in '.'.",
            target="resourceGroupName",
        )
