"""Source images and distribution targets (Microsoft.Compute), replayed from cassettes."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import ResourceNotFoundError

import azimagebuilder as aib
from azimagebuilder.resources.compute import (
    check_distribution_targets,
    check_resource_group,
    check_source,
    create_gallery_image,
    latest_platform_image_version,
    list_platform_images,
    replication_regions_problem,
    resolve_platform_image,
    version_key,
)
from azimagebuilder.testing.cassettes import FAKE_SUBSCRIPTION_ID, REPLAY_ENDPOINT, ReplayCredential

pytestmark = pytest.mark.vcr

WINDOWS = ("MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter")


def test_latest_is_the_numerically_highest_version(mgmt: Any) -> None:
    latest = latest_platform_image_version(
        mgmt.credential, mgmt.subscription_id, "westus2", *WINDOWS, **mgmt.kwargs
    )
    # The service lists 17763.973... after 17763.1158... (text order); numerically 1158 is newer.
    assert latest == "17763.1158.2004131759"


def test_latest_rhel_8_is_8_10_not_8_9(mgmt: Any) -> None:
    # Azure/azure-rest-api-specs#30142: ordering names as text made "latest" 8.9.
    latest = latest_platform_image_version(
        mgmt.credential, mgmt.subscription_id, "westus2", "RedHat", "RHEL", "8-lvm-gen2", **mgmt.kwargs
    )
    assert latest == "8.10.2024070513"


def test_list_platform_images_walks_offers_and_skus(mgmt: Any) -> None:
    images = list_platform_images(
        mgmt.credential, mgmt.subscription_id, "westus2", "Canonical", **mgmt.kwargs
    )
    skus = {image.sku for image in images}
    assert {"16.04-LTS", "18.04-LTS"} <= skus
    ubuntu18 = [i for i in images if i.sku == "18.04-LTS"]
    assert ubuntu18[-1].urn == "Canonical:UbuntuServer:18.04-LTS:18.04.202004290"
    assert [i.version for i in ubuntu18] == sorted((i.version for i in ubuntu18), key=version_key)


def test_unknown_sku_raises_not_found(mgmt: Any) -> None:
    with pytest.raises(ResourceNotFoundError):
        latest_platform_image_version(
            mgmt.credential,
            mgmt.subscription_id,
            "westus2",
            "Canonical",
            "UbuntuServer",
            "99.04",
            **mgmt.kwargs,
        )


def test_resolve_platform_image_pins_model_and_dict(mgmt: Any) -> None:
    source = aib.PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS")
    pinned = resolve_platform_image(mgmt.credential, mgmt.subscription_id, source, "westus2", **mgmt.kwargs)
    assert isinstance(pinned, aib.PlatformImageSource)
    assert pinned.version == "18.04.202004290"
    assert source.version == "latest"  # the original is left alone
    wire = {
        "type": "PlatformImage",
        "publisher": "RedHat",
        "offer": "RHEL",
        "sku": "7.7",
        "Version": "latest",
    }
    assert resolve_platform_image(mgmt.credential, mgmt.subscription_id, wire, "westus2", **mgmt.kwargs) == {
        **wire,
        "Version": "7.7.2020031212",
    }
    fixed = aib.PlatformImageSource(
        publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="1.0"
    )
    assert (
        resolve_platform_image(mgmt.credential, mgmt.subscription_id, fixed, "westus2", **mgmt.kwargs)
        is fixed
    )


def test_platform_source_checks(mgmt: Any) -> None:
    def codes(**fields: str) -> list[tuple[str, str]]:
        source = {"type": "PlatformImage", "publisher": "Canonical", "offer": "UbuntuServer", **fields}
        found = check_source(mgmt.credential, mgmt.subscription_id, source, "westus2", **mgmt.kwargs)
        return [(p.path, p.code) for p in found]

    assert codes(sku="18.04-LTS", version="latest") == []
    assert codes(sku="18.04-LTS", version="18.04.202004290") == []
    assert codes(sku="18.04-LTS", version="18.04.1") == [
        ("properties.source.version", "platform-image-version-not-found")
    ]
    assert codes(sku="17.10", version="latest") == [("properties.source", "platform-image-not-found")]


def test_managed_image_source_exists_and_is_in_region(mgmt: Any) -> None:
    mgmt.group("sourceRG")
    here = mgmt.managed_image("sourceRG", "base-westus2")
    there = mgmt.managed_image("sourceRG", "base-eastus", location="eastus")

    def codes(image_id: str) -> list[str]:
        source = aib.ManagedImageSource(image_id=image_id)
        return [
            p.code
            for p in check_source(mgmt.credential, mgmt.subscription_id, source, "westus2", **mgmt.kwargs)
        ]

    assert codes(here) == []
    assert codes(there) == ["source-image-wrong-region"]
    assert codes(here.replace("base-westus2", "missing")) == ["source-image-not-found"]
    assert codes(here.replace("sourceRG", "noSuchRG")) == ["source-image-not-found"]


def test_malformed_source_id_is_reported_without_a_call() -> None:
    source = {"type": "ManagedImage", "imageId": "myImage"}
    problems = check_source(
        ReplayCredential(), FAKE_SUBSCRIPTION_ID, source, "westus2", base_url=REPLAY_ENDPOINT
    )
    assert [(p.path, p.code) for p in problems] == [("properties.source.imageId", "source-image-id-invalid")]


def test_shared_image_version_source_must_be_replicated_to_the_region(mgmt: Any) -> None:
    mgmt.group("sigRG")
    version = mgmt.gallery_image_version("sigRG", "sig", "ubuntu", "1.0.0", ["westus2", "eastus"])
    source = aib.SharedImageVersionSource(image_version_id=version)
    assert check_source(mgmt.credential, mgmt.subscription_id, source, "West US 2", **mgmt.kwargs) == []
    [problem] = check_source(mgmt.credential, mgmt.subscription_id, source, "northeurope", **mgmt.kwargs)
    assert (problem.path, problem.code) == ("properties.source.imageVersionId", "source-image-not-replicated")
    assert "northeurope" in problem.message
    missing = aib.SharedImageVersionSource(image_version_id=version.replace("1.0.0", "9.9.9"))
    [problem] = check_source(mgmt.credential, mgmt.subscription_id, missing, "westus2", **mgmt.kwargs)
    assert problem.code == "source-image-not-found"


def test_check_resource_group(mgmt: Any) -> None:
    mgmt.group("imageRG")
    assert check_resource_group(mgmt.credential, mgmt.subscription_id, "imageRG", **mgmt.kwargs)
    assert not check_resource_group(mgmt.credential, mgmt.subscription_id, "otherRG", **mgmt.kwargs)


def test_create_gallery_image_then_targets_check_clean(mgmt: Any) -> None:
    mgmt.group("sigRG")
    gallery_image_id = mgmt.scope("sigRG") + "/providers/Microsoft.Compute/galleries/mySig/images/ubuntu"
    made = create_gallery_image(
        mgmt.credential,
        mgmt.subscription_id,
        gallery_image_id,
        location="westus2",
        publisher="contoso",
        offer="ubuntu",
        sku="18.04",
        polling_interval=0,
        **mgmt.kwargs,
    )
    assert made.id == gallery_image_id
    assert made.gallery_location == "westus2"
    # Idempotent: the second call reuses the gallery and updates the definition.
    again = create_gallery_image(
        mgmt.credential,
        mgmt.subscription_id,
        gallery_image_id,
        location="eastus",  # an existing gallery keeps its region
        publisher="contoso",
        offer="ubuntu",
        sku="18.04",
        polling_interval=0,
        **mgmt.kwargs,
    )
    assert again.gallery_location == "westus2"
    distribute = [
        aib.SharedImageDistributor(
            gallery_image_id=gallery_image_id,
            run_output_name="sig",
            replication_regions=("westus2", "eastus"),
        ),
        aib.VhdDistributor(run_output_name="vhd"),
    ]
    assert check_distribution_targets(mgmt.credential, mgmt.subscription_id, distribute, **mgmt.kwargs) == []


def test_distribution_target_problems(mgmt: Any) -> None:
    mgmt.group("sigRG")
    sig = mgmt.scope("sigRG") + "/providers/Microsoft.Compute/galleries/mySig"
    create_gallery_image(
        mgmt.credential,
        mgmt.subscription_id,
        sig + "/images/ubuntu",
        location="westus2",
        publisher="p",
        offer="o",
        sku="s",
        polling_interval=0,
        **mgmt.kwargs,
    )
    distribute = [
        {
            "type": "ManagedImage",
            "imageId": mgmt.scope("noRG") + "/providers/Microsoft.Compute/images/out",
            "location": "westus2",
            "runOutputName": "img",
        },
        {
            "type": "SharedImage",
            "galleryImageId": sig + "/images/ubuntu",
            "runOutputName": "a",
            "replicationRegions": ["eastus"],
        },
        {
            "type": "SharedImage",
            "galleryImageId": sig + "/images/windows",
            "runOutputName": "b",
            "replicationRegions": ["westus2"],
        },
        {
            "type": "SharedImage",
            "galleryImageId": mgmt.scope("sigRG")
            + "/providers/Microsoft.Compute/galleries/otherSig/images/x",
            "runOutputName": "c",
            "replicationRegions": ["westus2"],
        },
    ]
    problems = check_distribution_targets(mgmt.credential, mgmt.subscription_id, distribute, **mgmt.kwargs)
    assert [(p.path, p.code) for p in problems] == [
        ("properties.distribute[0].imageId", "target-resource-group-not-found"),
        ("properties.distribute[1].replicationRegions", "replication-regions-missing-gallery-region"),
        ("properties.distribute[2].galleryImageId", "gallery-image-not-found"),
        ("properties.distribute[3].galleryImageId", "gallery-not-found"),
    ]
    assert all(p.severity == "error" for p in problems)


def test_create_gallery_image_refuses_a_malformed_id() -> None:
    with pytest.raises(ValueError, match="galleries/<gallery>/images/<definition>"):
        create_gallery_image(
            ReplayCredential(),
            FAKE_SUBSCRIPTION_ID,
            "/subscriptions/x/resourceGroups/g/providers/Microsoft.Compute/images/i",
            location="westus2",
            publisher="p",
            offer="o",
            sku="s",
            base_url=REPLAY_ENDPOINT,
        )


def test_replication_regions_rule_is_pure() -> None:
    assert replication_regions_problem(["West US 2"], "westus2", path="properties.distribute[0]") is None
    problem = replication_regions_problem(None, "westus2", path="properties.distribute[3]")
    assert problem is not None
    assert problem.path == "properties.distribute[3].replicationRegions"
    assert "'westus2'" in problem.message


def test_version_key_orders_numerically() -> None:
    versions = ["1.10.0", "1.9.3", "1.9.12", "1.9.3-beta"]
    assert sorted(versions, key=version_key) == ["1.9.3", "1.9.3-beta", "1.9.12", "1.10.0"]


def test_sources_and_targets_in_another_subscription_are_looked_up_there(mgmt: Any) -> None:
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient

    other = "other-subscription"  # not a GUID, so the cassette keeps it and a replay tells them apart
    with ResourceManagementClient(mgmt.credential, other, **mgmt.kwargs) as resources:
        resources.resource_groups.create_or_update("elsewhereRG", {"location": "westus2"})
    with ComputeManagementClient(mgmt.credential, other, **mgmt.kwargs) as compute:
        image = compute.images.begin_create_or_update(
            "elsewhereRG", "base", {"location": "westus2", "properties": {}}, polling_interval=0
        ).result()
    source = aib.ManagedImageSource(image_id=image.id)
    assert check_source(mgmt.credential, mgmt.subscription_id, source, "westus2", **mgmt.kwargs) == []
    target = f"/subscriptions/{other}/resourceGroups/elsewhereRG/providers/Microsoft.Compute/images/out"
    distribute = [aib.ManagedImageDistributor(image_id=target, location="westus2", run_output_name="img")]
    assert check_distribution_targets(mgmt.credential, mgmt.subscription_id, distribute, **mgmt.kwargs) == []
