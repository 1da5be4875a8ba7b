"""Microsoft.Resources in the emulator, over raw HTTP: resource groups and provider registration."""

from __future__ import annotations

from typing import Any

from linux_template import linux_body

SUB = "11111111-2222-3333-4444-555555555555"  # the subscription the arm fixture uses
RG = f"/subscriptions/{SUB}/resourcegroups/imageRG"


def test_resource_group_create_then_update_then_get(arm: Any) -> None:
    created = arm.put(RG, {"location": "West US 2", "tags": {"team": "images"}})
    assert created.status_code == 201
    assert created.json()["id"] == f"/subscriptions/{SUB}/resourceGroups/imageRG"
    assert created.json()["location"] == "westus2"
    assert created.json()["properties"] == {"provisioningState": "Succeeded"}
    assert arm.put(RG, {"location": "westus2"}).status_code == 200
    got = arm.get(RG.replace("imageRG", "IMAGERG"))  # ARM matches names case-insensitively
    assert got.status_code == 200
    assert got.json()["name"] == "imageRG"


def test_missing_resource_group_head_404_and_get_error_shape(arm: Any) -> None:
    assert arm.call("HEAD", RG).status_code == 404
    missing = arm.get(RG)
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "ResourceGroupNotFound", "message": "Resource group 'imageRG' could not be found."}
    }
    arm.put(RG, {"location": "westus2"})
    assert arm.call("HEAD", RG).status_code == 204


def test_resource_group_needs_a_location(arm: Any) -> None:
    answer = arm.put(RG, {})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "LocationRequired"


def test_delete_resource_group_is_long_running(arm: Any) -> None:
    arm.put(RG, {"location": "westus2"})
    deleted = arm.call("DELETE", RG)
    assert deleted.status_code == 202
    assert "/operationresults/" in deleted.headers["Location"]
    assert arm.get_url(deleted.headers["Location"]).status_code == 200
    assert arm.call("HEAD", RG).status_code == 404


def test_provider_get_reads_the_registration_switch(arm: Any) -> None:
    path = f"/subscriptions/{SUB}/providers/Microsoft.VirtualMachineImages"
    body = arm.get(path).json()
    assert body["namespace"] == "Microsoft.VirtualMachineImages"
    assert body["registrationState"] == "Registered"
    arm.emulator.unregister_provider("Microsoft.VirtualMachineImages", subscription_id=SUB)
    assert arm.get(path).json()["registrationState"] == "NotRegistered"


def test_register_reads_registering_then_registered(arm: Any) -> None:
    path = f"/subscriptions/{SUB}/providers/microsoft.virtualmachineimages"
    arm.emulator.unregister_provider("Microsoft.VirtualMachineImages", subscription_id=SUB)
    registered = arm.call("POST", path + "/register")
    assert registered.status_code == 200
    assert registered.json()["registrationState"] == "Registering"
    assert arm.get(path).json()["registrationState"] == "Registering"
    assert arm.get(path).json()["registrationState"] == "Registered"
    assert arm.emulator.state.is_registered(SUB, "Microsoft.VirtualMachineImages")


def test_unregister_then_routes_of_that_namespace_refuse(arm: Any) -> None:
    group = arm.group("imageRG")
    answer = arm.call("POST", f"/subscriptions/{SUB}/providers/Microsoft.Compute/unregister")
    assert answer.json()["registrationState"] == "Unregistering"
    refused = arm.get(f"{group}/providers/Microsoft.Compute/images/img")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "MissingSubscriptionRegistration"


def test_unknown_namespace_is_invalid(arm: Any) -> None:
    answer = arm.get(f"/subscriptions/{SUB}/providers/Microsoft.Nope")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "InvalidResourceNamespace"


def test_list_providers_includes_image_builder(arm: Any) -> None:
    names = {p["namespace"] for p in arm.get(f"/subscriptions/{SUB}/providers").json()["value"]}
    assert {"Microsoft.VirtualMachineImages", "Microsoft.Compute", "Microsoft.Storage"} <= names


def test_deleting_a_group_deletes_what_is_in_it(arm: Any) -> None:
    group = arm.group("imageRG")
    image = group + "/providers/Microsoft.Compute/images/base"
    identity = group + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
    arm.put(image, {"location": "westus2"})
    arm.put(identity, {"location": "westus2"})
    other = arm.group("keepRG")
    kept = other + "/providers/Microsoft.Compute/images/base"
    arm.put(kept, {"location": "westus2"})
    assert arm.call("DELETE", RG).status_code == 202
    arm.group("imageRG")  # the same name again starts empty
    assert arm.get(image).status_code == 404
    assert arm.get(identity).status_code == 404
    assert arm.get(kept).status_code == 200


def _create_template(arm: Any, group: str, name: str = "tpl") -> None:
    body = linux_body()
    path = f"{group}/providers/Microsoft.VirtualMachineImages/imageTemplates/{name}"
    assert arm.put(path, body, api_version="2019-05-01-preview").status_code == 201


def test_image_builder_staging_groups_are_served_with_their_storage_account(arm: Any) -> None:
    from azimagebuilder.emulator.providers.imagebuilder import staging_resource_groups

    group = arm.group("imageRG")
    _create_template(arm, group)
    [staging] = staging_resource_groups(arm.emulator.state, SUB)
    listed = arm.get(f"/subscriptions/{SUB}/resourcegroups").json()["value"]
    by_name = {g["name"]: g for g in listed}
    assert set(by_name) == {"imageRG", staging["name"]}
    assert by_name[staging["name"]]["tags"]["imageTemplateName"] == "tpl"
    assert all(not key.startswith("_") for g in listed for key in g)  # nothing private leaks
    path = f"/subscriptions/{SUB}/resourcegroups/{staging['name']}"
    assert arm.call("HEAD", path).status_code == 204
    assert arm.get(path).json()["tags"]["createdBy"] == "AzureVMImageBuilder"
    resources = arm.get(
        path + "/resources", **{"$filter": "resourceType eq 'Microsoft.Storage/storageAccounts'"}
    )
    assert [r["name"] for r in resources.json()["value"]] == [staging["storageAccount"]]


def test_resources_of_a_group_are_listed_and_filtered(arm: Any) -> None:
    group = arm.group("imageRG")
    arm.put(group + "/providers/Microsoft.Compute/images/base", {"location": "westus2"})
    arm.put(
        group + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib", {"location": "westus2"}
    )
    listed = arm.get(RG + "/resources").json()["value"]
    assert sorted(r["type"] for r in listed) == [
        "Microsoft.Compute/images",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
    ]
    only = arm.get(RG + "/resources", **{"$filter": "resourceType eq 'Microsoft.Compute/images'"}).json()[
        "value"
    ]
    assert [r["name"] for r in only] == ["base"]
    assert arm.get(f"/subscriptions/{SUB}/resourcegroups/none/resources").status_code == 404
