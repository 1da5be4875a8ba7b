"""Microsoft.Storage in the emulator: the staging storage account of Image Builder's staging groups.

Image Builder keeps each template's build logs in a storage account of its staging resource group
``IT_<rg>_<name>_<guid>``. The :mod:`.resources` provider lists that account among the group's resources;
this module answers a ``GET`` of it, in the public REST shape of ``storageAccounts`` (api-version
2023-01-01 and its neighbours), so a client can read its ``properties.primaryEndpoints.blob`` as it would
in Azure:

- ``GET /subscriptions/{id}/resourceGroups/{staging}/providers/Microsoft.Storage/storageAccounts/{acct}``
  answers ``200`` with ``id``, ``name``, ``type``, ``location``, ``kind: StorageV2``,
  ``sku: {Standard_LRS, Standard}`` and ``properties`` (``provisioningState: Succeeded``,
  ``primaryEndpoints.blob``, ``primaryLocation``, ``statusOfPrimary``).
- The blob endpoint is where the artifact store keeps the account's blobs: for the default in-memory store,
  ``https://127.0.0.1:<port>/<acct>/`` on the emulator itself (which serves the Blob calls, see
  :mod:`.._blobs`); for a store in Azurite its ``account_url``; otherwise
  ``https://<acct>.blob.core.windows.net/``.
- Any other account in an existing group answers ``404 ResourceNotFound``; a missing group answers
  ``404 ResourceGroupNotFound``, as ARM does.

The account's name comes from the staging group itself (:func:`.resources.find_group`, which takes it from
the Image Builder provider), so there is one source of truth for it.

Example:
    >>> from azimagebuilder.emulator import Emulator
    >>> emu = Emulator().start()
    >>> path = "/subscriptions/s/resourceGroups/IT_rg_tpl_x/providers/Microsoft.Storage/storageAccounts/a"
    >>> emu.router.match("GET", path).route.name
    'storage.storageAccounts.getProperties'
    >>> emu.stop()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._router import Request, Response
from ._base import Provider, RouteSpec
from ._common import resource_not_found
from .resources import find_group, group_not_found

if TYPE_CHECKING:
    pass

__all__ = ["StorageProvider", "blob_endpoint", "register"]

_TYPE = "Microsoft.Storage/storageAccounts"


def blob_endpoint(artifacts: object, account: str) -> str:
    """The account's ``primaryEndpoints.blob`` (with its trailing ``/``, as Azure writes it).

    Example:
        >>> blob_endpoint(object(), "abc")
        'https://abc.blob.core.windows.net/'
    """
    url = getattr(artifacts, "account_url", None)
    if isinstance(url, str) and url:
        return url.rstrip("/") + "/"
    endpoint = getattr(artifacts, "account_endpoint", None)
    if callable(endpoint):
        return str(endpoint(account)).rstrip("/") + "/"
    return f"https://{account}.blob.core.windows.net/"


_ACCOUNT = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/"
    f"{_TYPE}/{{accountName}}"
)


class StorageProvider(Provider):
    """Microsoft.Storage: the staging storage account of each staging resource group (read only)."""

    namespace = "Microsoft.Storage"
    ROUTES = (RouteSpec("GET", _ACCOUNT, "storage.storageAccounts.getProperties", "get_account"),)

    def get_account(self, request: Request, params: dict[str, str]) -> Response:
        sub, group_name, name = params["subscriptionId"], params["resourceGroupName"], params["accountName"]
        with self.store.locked():
            group = find_group(self.store, sub, group_name)
        if group is None:
            raise group_not_found(group_name)
        account = group.get("_storageAccount")
        if not isinstance(account, str) or account.lower() != name.lower():
            raise resource_not_found(_TYPE, name, group_name)
        location = group["location"]
        body: dict[str, Any] = {
            "id": f"{group['id']}/providers/{_TYPE}/{account}",
            "name": account,
            "type": _TYPE,
            "location": location,
            "kind": "StorageV2",
            "sku": {"name": "Standard_LRS", "tier": "Standard"},
            "tags": {},
            "properties": {
                "provisioningState": "Succeeded",
                "primaryEndpoints": {"blob": blob_endpoint(self.ctx.artifacts, account)},
                "primaryLocation": location,
                "statusOfPrimary": "available",
            },
        }
        return Response.json(200, body)


register = StorageProvider.registrar()
