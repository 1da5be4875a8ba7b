"""Property tests over templates built in Python: whatever validate accepts loads back to the same value."""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from azimagebuilder import (
    FileCustomizer,
    ImageTemplate,
    ManagedImageDistributor,
    ManagedImageSource,
    PlatformImageSource,
    PowerShellCustomizer,
    SharedImageDistributor,
    SharedImageVersionSource,
    ShellCustomizer,
    TemplateValidationError,
    UserAssignedIdentity,
    VhdDistributor,
    VmProfile,
    VnetConfig,
    WindowsRestartCustomizer,
    WindowsUpdateCustomizer,
    load_template,
    validate,
)

SUB = "/subscriptions/0/resourceGroups/rg/providers"
names = st.text(alphabet="abcXYZ019-_.", min_size=1, max_size=8)
regions = st.sampled_from(["westus2", "eastus", "West Europe", "southcentralus"])
urls = st.sampled_from(["https://e.com/s.sh", "http://e.com/s.sh", "s.sh"])
tags = st.none() | st.dictionaries(names, names, max_size=2)

sources = st.one_of(
    st.builds(
        PlatformImageSource,
        publisher=st.sampled_from(["Canonical", "MicrosoftWindowsServer", "RedHat"]),
        offer=st.sampled_from(["UbuntuServer", "WindowsServer", "RHEL"]),
        sku=names,
        version=st.sampled_from(["latest", "1.0.0"]),
    ),
    st.builds(ManagedImageSource, image_id=st.sampled_from([f"{SUB}/Microsoft.Compute/images/i", "bad"])),
    st.builds(
        SharedImageVersionSource,
        image_version_id=st.just(f"{SUB}/Microsoft.Compute/galleries/g/images/d/versions/1.0.0"),
    ),
)
customizers = st.one_of(
    st.builds(
        ShellCustomizer,
        name=names,
        inline=st.none() | st.lists(names, max_size=2),
        script_uri=st.none() | urls,
    ),
    st.builds(
        PowerShellCustomizer,
        name=names,
        inline=st.lists(names, min_size=1, max_size=2),
        valid_exit_codes=st.none() | st.lists(st.integers(0, 5000), max_size=2),
        run_elevated=st.none() | st.booleans(),
    ),
    st.builds(WindowsRestartCustomizer, restart_timeout=st.none() | st.sampled_from(["5m", "2h", "soon"])),
    st.builds(
        FileCustomizer,
        name=names,
        source_uri=urls,
        destination=st.sampled_from(["/tmp/a", "/etc/a", "c:\\a"]),
    ),
    st.builds(WindowsUpdateCustomizer, update_limit=st.none() | st.integers(-1, 100)),
)
distributors = st.one_of(
    st.builds(VhdDistributor, run_output_name=names, tags=tags),
    st.builds(
        ManagedImageDistributor,
        type=st.sampled_from(["ManagedImage", "managedImage"]),
        image_id=st.just(f"{SUB}/Microsoft.Compute/images/out"),
        location=regions,
        run_output_name=names,
        artifact_tags=tags,
    ),
    st.builds(
        SharedImageDistributor,
        gallery_image_id=st.just(f"{SUB}/Microsoft.Compute/galleries/g/images/d"),
        run_output_name=names,
        replication_regions=st.lists(regions, min_size=1, max_size=2),
    ),
)
templates = st.builds(
    ImageTemplate,
    location=regions,
    source=sources,
    customize=st.lists(customizers, max_size=3),
    distribute=st.lists(distributors, max_size=3),
    tags=tags,
    identity=st.none()
    | st.just(UserAssignedIdentity.from_id(f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/i")),
    depends_on=st.none() | st.just([]),
    vm_profile=st.none()
    | st.builds(
        VmProfile,
        vm_size=st.none() | st.just("Standard_D2_v2"),
        os_disk_size_gb=st.none() | st.integers(-1, 200),
        vnet_config=st.none()
        | st.builds(VnetConfig, name=names, subnet_name=names, resource_group_name=names),
    ),
    build_timeout_in_minutes=st.none() | st.integers(-1, 1000),
)


# No "explain" phase: see tests/loading/test_loading_properties.py.
@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[phase for phase in Phase if phase is not Phase.explain],
)
@given(templates, st.sampled_from(["2019-05-01-preview", "2020-02-14", "2024-02-01"]))
def test_what_validate_accepts_loads_back_to_the_same_template(template: ImageTemplate, version: str) -> None:
    report = validate(template, api_version=version)
    written = template.to_arm(api_version=version)
    refused = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            loaded = load_template(written)
        except TemplateValidationError as exc:
            refused = exc
    if report.ok:
        assert refused is None
        assert validate(loaded).ok
        # Region display names are the only values written differently after loading.
        if all(" " not in str(r) for r in _regions(written)):
            assert loaded.to_arm() == written
    else:
        assert refused is not None
        assert {p.code for p in refused.errors} == {p.code for p in report.errors}


def _regions(doc: dict[str, object]) -> list[object]:
    props = doc["properties"]
    assert isinstance(props, dict)
    found: list[object] = [doc["location"]]
    for item in props["distribute"]:
        found += [item.get("location"), *list(item.get("replicationRegions") or [])]
    return found
