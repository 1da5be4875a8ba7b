"""preflight: the checks that need Azure, in validate's Problem form; replayed from cassettes."""

from __future__ import annotations

from typing import Any

import pytest

import azimagebuilder as aib
from azimagebuilder.resources import PREFLIGHT_CODES, preflight
from azimagebuilder.resources.compute import create_gallery_image
from azimagebuilder.resources.identity import create_identity, create_image_builder_identity

pytestmark = pytest.mark.vcr

UBUNTU = aib.PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS")
HELLO = [aib.ShellCustomizer(name="hello", inline=["echo hello"])]
VHD = [aib.VhdDistributor(run_output_name="vhd")]


def _template(**changes: Any) -> aib.ImageTemplate:
    fields: dict[str, Any] = {"location": "westus2", "source": UBUNTU, "customize": HELLO, "distribute": VHD}
    fields.update(changes)
    return aib.ImageTemplate(**fields)


def _run(mgmt: Any, template: Any, **kwargs: Any) -> aib.ValidationReport:
    return preflight(
        template, credential=mgmt.credential, subscription_id=mgmt.subscription_id, **mgmt.kwargs, **kwargs
    )


def _found(report: aib.ValidationReport) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in (*report.errors, *report.warnings)]


def test_a_good_template_passes(mgmt: Any) -> None:
    mgmt.group("imageRG")
    source = mgmt.managed_image("imageRG", "base")
    gallery_image_id = mgmt.scope("imageRG") + "/providers/Microsoft.Compute/galleries/sig/images/ubuntu"
    create_gallery_image(
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
    identity = create_image_builder_identity(
        mgmt.credential, mgmt.subscription_id, "imageRG", "aib", location="westus2", **mgmt.kwargs
    )
    template = _template(
        source=aib.ManagedImageSource(image_id=source),
        distribute=[
            aib.SharedImageDistributor(
                gallery_image_id=gallery_image_id,
                run_output_name="sig",
                replication_regions=("westus2", "eastus"),
            ),
            aib.ManagedImageDistributor(
                image_id=mgmt.scope("imageRG") + "/providers/Microsoft.Compute/images/out",
                location="westus2",
                run_output_name="img",
            ),
        ],
        identity=identity,
    )
    report = _run(mgmt, template, resource_group="imageRG")
    assert report.ok
    assert report.warnings == []


def test_missing_source_image(mgmt: Any) -> None:
    mgmt.group("imageRG")
    missing = mgmt.scope("imageRG") + "/providers/Microsoft.Compute/images/nothere"
    report = _run(mgmt, _template(source=aib.ManagedImageSource(image_id=missing)))
    assert _found(report) == [("properties.source.imageId", "source-image-not-found")]
    assert "nothere" in report.errors[0].message


def test_source_image_in_the_wrong_region(mgmt: Any) -> None:
    mgmt.group("imageRG")
    source = mgmt.managed_image("imageRG", "base", location="eastus")
    report = _run(mgmt, _template(source=aib.ManagedImageSource(image_id=source)))
    assert _found(report) == [("properties.source.imageId", "source-image-wrong-region")]
    assert "eastus" in report.errors[0].message


def test_gallery_source_not_replicated_to_the_template_region(mgmt: Any) -> None:
    mgmt.group("imageRG")
    version = mgmt.gallery_image_version("imageRG", "sig", "base", "1.0.0", ["eastus"], location="eastus")
    report = _run(mgmt, _template(source=aib.SharedImageVersionSource(image_version_id=version)))
    assert _found(report) == [("properties.source.imageVersionId", "source-image-not-replicated")]


def test_unknown_platform_image(mgmt: Any) -> None:
    source = aib.PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.10")
    report = _run(mgmt, _template(source=source))
    assert _found(report) == [("properties.source", "platform-image-not-found")]


def test_missing_resource_groups(mgmt: Any) -> None:
    distribute = [
        aib.ManagedImageDistributor(
            image_id=mgmt.scope("noRG") + "/providers/Microsoft.Compute/images/out",
            location="westus2",
            run_output_name="img",
        )
    ]
    report = _run(mgmt, _template(distribute=distribute), resource_group="templatesRG")
    assert _found(report) == [
        ("", "template-resource-group-not-found"),
        ("properties.distribute[0].imageId", "target-resource-group-not-found"),
    ]
    assert "az group create -n noRG" in report.errors[1].message


def test_unregistered_providers(mgmt: Any) -> None:
    mgmt.unregister("Microsoft.VirtualMachineImages")
    mgmt.unregister("Microsoft.KeyVault")
    report = _run(mgmt, _template())
    assert _found(report) == [("type", "provider-not-registered"), ("", "provider-not-registered")]
    assert "Microsoft.KeyVault" in report.errors[1].message
    assert "register_providers" in report.errors[0].message


def test_gallery_region_missing_from_replication_regions(mgmt: Any) -> None:
    mgmt.group("imageRG")
    gallery_image_id = mgmt.scope("imageRG") + "/providers/Microsoft.Compute/galleries/sig/images/ubuntu"
    create_gallery_image(
        mgmt.credential,
        mgmt.subscription_id,
        gallery_image_id,
        location="westus2",
        publisher="p",
        offer="o",
        sku="s",
        polling_interval=0,
        **mgmt.kwargs,
    )
    distribute = [
        aib.SharedImageDistributor(
            gallery_image_id=gallery_image_id, run_output_name="sig", replication_regions=("eastus",)
        )
    ]
    report = _run(mgmt, _template(distribute=distribute))
    assert _found(report) == [
        ("properties.distribute[0].replicationRegions", "replication-regions-missing-gallery-region")
    ]


def test_identity_missing_and_identity_without_role(mgmt: Any) -> None:
    mgmt.group("imageRG")
    no_role = create_identity(
        mgmt.credential, mgmt.subscription_id, "imageRG", "bare", location="westus2", **mgmt.kwargs
    )
    distribute = [
        aib.ManagedImageDistributor(
            image_id=mgmt.scope("imageRG") + "/providers/Microsoft.Compute/images/out",
            location="westus2",
            run_output_name="img",
        )
    ]
    report = _run(mgmt, _template(distribute=distribute, identity=no_role.template_identity()))
    assert report.ok  # a role through a group membership would not show: a warning, not an error
    assert _found(report) == [("properties.distribute[0]", "identity-missing-role")]
    ghost = aib.UserAssignedIdentity.from_id(no_role.id.replace("/bare", "/ghost"))
    report = _run(mgmt, _template(distribute=distribute, identity=ghost))
    assert _found(report) == [("identity.userAssignedIdentities", "identity-not-found")]


def test_document_form_is_accepted_and_unloadable_ones_return_the_loader_report(mgmt: Any) -> None:
    document = _template().to_arm()
    assert _run(mgmt, document).ok
    broken = _run(mgmt, {"location": "westus2"})  # makes no call: the loader's errors come back
    assert not broken.ok
    assert all(p.code not in PREFLIGHT_CODES for p in broken.errors)


def test_the_package_export_is_callable_even_after_the_module_was_imported() -> None:
    import azimagebuilder.resources as resources
    from azimagebuilder.testing.cassettes import FAKE_SUBSCRIPTION_ID, ReplayCredential

    # This test module imported the function through azimagebuilder.resources already.
    report = resources.preflight(
        {"location": "westus2"}, credential=ReplayCredential(), subscription_id=FAKE_SUBSCRIPTION_ID
    )
    assert not report.ok


def test_the_package_export_is_a_plain_function_whatever_is_imported_first() -> None:
    # A fresh interpreter each time: in this one, the order of imports is the other tests' business.
    import subprocess
    import sys
    import textwrap

    check = textwrap.dedent("""
        import importlib, sys, types
        order = sys.argv[1]
        if order == "module-first":
            module = importlib.import_module("azimagebuilder.resources._preflight")
        from azimagebuilder.resources import preflight
        import azimagebuilder.resources
        import azimagebuilder.resources._preflight
        module = sys.modules["azimagebuilder.resources._preflight"]
        assert type(preflight) is types.FunctionType, type(preflight)
        assert azimagebuilder.resources.preflight is preflight is module.preflight
        assert type(module) is types.ModuleType, type(module)  # no module class swapped in
        assert "azimagebuilder.resources.preflight" not in sys.modules
        from azimagebuilder.resources import PREFLIGHT_CODES
        assert PREFLIGHT_CODES is module.PREFLIGHT_CODES
        print("ok")
    """)
    for order in ("function-first", "module-first"):
        done = subprocess.run(
            [sys.executable, "-c", check, order], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, f"{order}: {done.stderr}"
        assert done.stdout.split() == ["ok"]


def test_a_caller_transport_is_shared_by_every_client_and_left_open(mgmt: Any) -> None:
    from azure.core.pipeline.transport import RequestsTransport

    from azimagebuilder.resources.providers import check_providers
    from azimagebuilder.testing import cassettes

    if mgmt.target == "replay":
        transport = cassettes.replay_transport()
    else:  # a transport of one's own carries its own TLS settings
        transport = RequestsTransport(connection_verify=mgmt.kwargs["connection_verify"])
    with transport:
        report = _run(mgmt, _template(), transport=transport)  # preflight makes several clients
        assert report.ok
        statuses = check_providers(
            mgmt.credential, mgmt.subscription_id, ["Microsoft.Compute"], transport=transport, **mgmt.kwargs
        )
        assert statuses[0].registered  # still open after preflight's clients are done


def test_arm_expressions_are_skipped_not_reported(mgmt: Any) -> None:
    # A deployment template's values are known only to ARM: validate() warns (arm-expression); preflight
    # must not turn them into false errors.
    document = {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2019-05-01-preview",
        "location": "westus2",
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {"[parameters('identityId')]": {}}},
        "properties": {
            "source": {"type": "ManagedImage", "imageId": "[parameters('imageId')]"},
            "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
            "distribute": [
                {
                    "type": "SharedImage",
                    "galleryImageId": "[variables('galleryImageId')]",
                    "runOutputName": "sig",
                    "replicationRegions": "[parameters('regions')]",
                }
            ],
        },
    }
    report = _run(mgmt, document)
    assert _found(report) == []
