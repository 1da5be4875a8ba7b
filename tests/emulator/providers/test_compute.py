"""Microsoft.Compute in the emulator, over raw HTTP: images, galleries, versions, platform images."""

from __future__ import annotations

from typing import Any

SUB = "11111111-2222-3333-4444-555555555555"  # the subscription the arm fixture uses
LOC = f"/subscriptions/{SUB}/providers/Microsoft.Compute/locations/westus2"


def test_managed_image_put_is_long_running_then_get_succeeded(arm: Any) -> None:
    path = arm.group("imageRG") + "/providers/Microsoft.Compute/images/base"
    created = arm.put(path, {"location": "West US 2", "properties": {}}, api_version="2024-11-01")
    assert created.status_code == 201
    assert created.json()["properties"]["provisioningState"] == "Creating"
    operation = created.headers["Azure-AsyncOperation"]
    assert "/providers/Microsoft.Compute/locations/westus2/operations/" in operation
    status = arm.get_url(operation).json()
    assert status["status"] == "Succeeded"
    assert {"startTime", "endTime", "name"} <= set(status)
    got = arm.get(path).json()
    assert got["location"] == "westus2"
    assert got["properties"]["provisioningState"] == "Succeeded"
    assert got["type"] == "Microsoft.Compute/images"


def test_missing_image_and_missing_group(arm: Any) -> None:
    group = arm.group("imageRG")
    missing = arm.get(group + "/providers/Microsoft.Compute/images/none")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "ResourceNotFound"
    elsewhere = arm.get(group.replace("imageRG", "otherRG") + "/providers/Microsoft.Compute/images/none")
    assert elsewhere.json()["error"]["code"] == "ResourceGroupNotFound"


def test_gallery_definition_and_version(arm: Any) -> None:
    gallery = arm.group("sigRG") + "/providers/Microsoft.Compute/galleries/mySig"
    created = arm.put(gallery, {"location": "westus2"})
    assert created.status_code == 201
    assert "/capsOperations/" in created.headers["Azure-AsyncOperation"]
    assert created.json()["properties"]["identifier"]["uniqueName"].endswith("-MYSIG")

    definition = gallery + "/images/ubuntu"
    body = {
        "location": "westus2",
        "properties": {
            "osType": "Linux",
            "osState": "Generalized",
            "identifier": {"publisher": "me", "offer": "ubuntu", "sku": "18.04"},
        },
    }
    assert arm.put(definition, body).status_code == 201
    assert arm.put(definition, body).status_code == 200
    assert arm.get(definition).json()["properties"]["hyperVGeneration"] == "V1"

    version = definition + "/versions/1.0.0"
    answer = arm.put(
        version,
        {"location": "westus2", "properties": {"publishingProfile": {"targetRegions": [{"name": "eastus"}]}}},
    )
    assert answer.status_code == 201
    regions = [t["name"] for t in arm.get(version).json()["properties"]["publishingProfile"]["targetRegions"]]
    assert regions == ["East US"]  # Compute answers display names


def test_definition_needs_os_type_and_identifier(arm: Any) -> None:
    gallery = arm.group("sigRG") + "/providers/Microsoft.Compute/galleries/mySig"
    arm.put(gallery, {"location": "westus2"})
    no_os = arm.put(gallery + "/images/d", {"location": "westus2", "properties": {"osState": "Generalized"}})
    assert no_os.status_code == 400
    assert no_os.json()["error"]["target"] == "osType"
    no_id = arm.put(
        gallery + "/images/d",
        {"location": "westus2", "properties": {"osType": "Linux", "osState": "Generalized"}},
    )
    assert no_id.json()["error"]["target"] == "identifier"


def test_definition_in_missing_gallery_is_parent_not_found(arm: Any) -> None:
    gallery = arm.group("sigRG") + "/providers/Microsoft.Compute/galleries/none"
    answer = arm.get(gallery + "/images/d")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "ParentResourceNotFound"


def test_platform_image_listing_is_bare_arrays(arm: Any) -> None:
    publishers = arm.get(LOC + "/publishers").json()
    assert "Canonical" in [p["name"] for p in publishers]
    offers = arm.get(LOC + "/publishers/Canonical/artifacttypes/vmimage/offers").json()
    assert [o["name"] for o in offers] == ["UbuntuServer"]
    skus = arm.get(LOC + "/publishers/canonical/artifacttypes/vmimage/offers/UbuntuServer/skus").json()
    assert "18.04-LTS" in [s["name"] for s in skus]
    versions = arm.get(
        LOC
        + "/publishers/MicrosoftWindowsServer/artifacttypes/vmimage/offers/WindowsServer/skus/2019-Datacenter"
        "/versions"
    ).json()
    names = [v["name"] for v in versions]
    assert names == sorted(names)  # text order, as the service lists them: not the newest last
    assert names[-1] != "17763.1158.2004131759"
    assert versions[0]["id"].startswith(
        f"/Subscriptions/{SUB}/Providers/Microsoft.Compute/Locations/westus2/"
    )


def test_platform_image_version_get_and_unknown(arm: Any) -> None:
    base = LOC + "/publishers/Canonical/artifacttypes/vmimage/offers/UbuntuServer/skus/18.04-LTS/versions"
    got = arm.get(base + "/18.04.202004290").json()
    assert got["properties"]["osDiskImage"]["operatingSystem"] == "Linux"
    unknown = arm.get(base + "/1.2.3")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == {"code": "NotFound", "message": "Artifact: VMImage was not found."}
    no_sku = arm.get(LOC + "/publishers/Canonical/artifacttypes/vmimage/offers/UbuntuServer/skus/99/versions")
    assert no_sku.status_code == 404
