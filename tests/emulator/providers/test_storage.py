"""Microsoft.Storage in the emulator, over raw HTTP: the staging storage account of an Image Builder template.

Shapes checked against the public Microsoft.Storage example ``StorageAccountGetProperties.json``
(azure-rest-api-specs, stable/2023-01-01): ``id``, ``name``, ``type``, ``location``, ``kind``, ``sku``
``{name, tier}``, ``properties.provisioningState`` and ``properties.primaryEndpoints.blob`` with a trailing
``/``.
"""

from __future__ import annotations

from typing import Any

from linux_template import linux_body

from azimagebuilder.emulator import Emulator, MemoryArtifactStore
from azimagebuilder.emulator._artifacts import staging_account_name

SUB = "11111111-2222-3333-4444-555555555555"  # the subscription the arm fixture uses
STORAGE_API = "2023-01-01"
TYPE = "Microsoft.Storage/storageAccounts"
USER_GROUP = f"/subscriptions/{SUB}/resourceGroups/imageRG"
TEMPLATE = linux_body()


def _template_path(group: str, name: str = "tpl") -> str:
    return f"{group}/providers/Microsoft.VirtualMachineImages/imageTemplates/{name}"


def _staging(arm: Any, name: str = "tpl") -> tuple[str, str, str]:
    """Create imageRG and a template in it; return (staging group, its account, the account's path)."""
    group = arm.group("imageRG")
    assert arm.put(_template_path(group, name), TEMPLATE, api_version="2019-05-01-preview").status_code == 201
    staging = next(
        g["name"]
        for g in arm.get(f"/subscriptions/{SUB}/resourcegroups").json()["value"]
        if g.get("tags", {}).get("imageTemplateName") == name
    )
    [listed] = arm.get(
        f"/subscriptions/{SUB}/resourceGroups/{staging}/resources",
        **{"$filter": "resourceType eq 'Microsoft.Storage/storageAccounts'"},
    ).json()["value"]
    return staging, listed["name"], listed["id"]


def test_the_listed_staging_account_reads_back_in_the_storage_shape(arm: Any) -> None:
    staging, account, account_id = _staging(arm)
    assert account == staging_account_name(staging)
    got = arm.get(account_id, api_version=STORAGE_API)
    assert got.status_code == 200
    assert got.json() == {
        "id": f"/subscriptions/{SUB}/resourceGroups/{staging}/providers/{TYPE}/{account}",
        "name": account,
        "type": TYPE,
        "location": "westus2",
        "kind": "StorageV2",
        "sku": {"name": "Standard_LRS", "tier": "Standard"},
        "tags": {},
        "properties": {
            "provisioningState": "Succeeded",
            # The emulator serves the account's blobs itself, path-style on its own address.
            "primaryEndpoints": {"blob": f"{arm.emulator.base_url}/{account}/"},
            "primaryLocation": "westus2",
            "statusOfPrimary": "available",
        },
    }
    # ARM matches names case-insensitively.
    assert arm.get(account_id.upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")).status_code == 200


def test_the_blob_endpoint_is_where_the_in_memory_logs_are(arm: Any) -> None:
    """With the default store, the endpoint is the host of the log URLs the emulator writes."""
    _, _, account_id = _staging(arm)
    run = arm.call("POST", _template_path(USER_GROUP) + "/run", api_version="2019-05-01-preview")
    assert run.status_code == 202
    assert arm.get_url(run.headers["Azure-AsyncOperation"]).json()["status"] == "Succeeded"
    endpoint = arm.get(account_id).json()["properties"]["primaryEndpoints"]["blob"]
    store = arm.emulator.artifacts
    assert isinstance(store, MemoryArtifactStore)
    logs = [u for u in store.urls() if u.endswith("/customization.log")]
    assert logs
    assert all(u.startswith(endpoint + "packerlogs/") for u in logs)


class _StoreWithAccountUrl(MemoryArtifactStore):
    account_url = "http://127.0.0.1:10000/ibstaging"


def test_a_store_with_an_account_url_gives_the_blob_endpoint(arm: Any) -> None:
    with Emulator(build_duration=0, artifacts=_StoreWithAccountUrl()) as emulator:
        caller = type(arm)(emulator)  # the fixture's ARM caller, on this emulator
        _, _, account_id = _staging(caller)
        got = caller.get(account_id, api_version=STORAGE_API).json()
        caller.session.close()
    assert got["properties"]["primaryEndpoints"] == {"blob": "http://127.0.0.1:10000/ibstaging/"}


def test_other_accounts_and_groups_are_not_found(arm: Any) -> None:
    staging, account, _ = _staging(arm)
    accounts = "/providers/Microsoft.Storage/storageAccounts/"
    other = arm.get(f"/subscriptions/{SUB}/resourceGroups/{staging}{accounts}someoneelse")
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "ResourceNotFound"
    assert "Microsoft.Storage/storageAccounts/someoneelse" in other.json()["error"]["message"]
    # A group of the user's (no staging account in it).
    in_user_group = arm.get(f"/subscriptions/{SUB}/resourceGroups/imageRG{accounts}{account}")
    assert in_user_group.status_code == 404
    assert in_user_group.json()["error"]["code"] == "ResourceNotFound"
    # A group that does not exist: ARM names the group.
    missing = arm.get(f"/subscriptions/{SUB}/resourceGroups/IT_nope_tpl_x{accounts}{account}")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {
            "code": "ResourceGroupNotFound",
            "message": "Resource group 'IT_nope_tpl_x' could not be found.",
        }
    }
    # Another subscription does not see this one's staging account.
    elsewhere = arm.get(
        f"/subscriptions/99999999-0000-0000-0000-000000000000/resourceGroups/{staging}{accounts}{account}"
    )
    assert elsewhere.status_code == 404


def test_the_account_goes_with_its_template(arm: Any) -> None:
    _, _, account_id = _staging(arm)
    template = _template_path(USER_GROUP)
    assert arm.call("DELETE", template, api_version="2019-05-01-preview").status_code == 202
    assert arm.get(template, api_version="2019-05-01-preview").status_code == 404
    gone = arm.get(account_id)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "ResourceGroupNotFound"


def test_needs_an_api_version_and_the_provider_registered(arm: Any) -> None:
    _, _, account_id = _staging(arm)
    bare: Any = arm.session.get(arm.emulator.base_url + account_id, verify=arm.emulator.ca_cert)
    assert bare.status_code == 400
    assert bare.json()["error"]["code"] == "MissingApiVersionParameter"
    arm.emulator.unregister_provider("Microsoft.Storage", subscription_id=SUB)
    refused = arm.get(account_id)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "MissingSubscriptionRegistration"
