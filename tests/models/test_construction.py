"""Building models in Python: misspelled keywords, readable errors, snake_case signatures, extra=."""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

import azimagebuilder as aib
from azimagebuilder import models
from azimagebuilder.models import WireModel

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
SRC = aib.PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS")
VHD = aib.VhdDistributor(run_output_name="vhd")
SHELL = aib.ShellCustomizer(name="s", inline=["echo hi"])
# pydantic's wording, which must never reach a user building a model in Python
PYDANTIC_WORDS = (
    "pydantic",
    "errors.pydantic.dev",
    "Input should be",
    "Field required",
    "function-after",
    "discriminator",
    "Value error,",
    "For further information",
    "validation error for",
    "[type=",
    "Sequence value",
)


def template(**changes: Any) -> Callable[[], object]:
    fields: dict[str, Any] = {"location": "westus2", "source": SRC, "distribute": [VHD]}
    fields.update(changes)
    return lambda: aib.ImageTemplate(**fields)


def models_of_every_kind() -> list[type[WireModel]]:
    return [getattr(models, name) for name in models.__all__ if _is_model(getattr(models, name))]


def _is_model(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, WireModel) and value is not WireModel


# (what is built, the Python path the message names, words the message must hold)
MISTAKES: list[tuple[str, Callable[[], object], str, tuple[str, ...]]] = [
    (
        "string for inline",
        lambda: aib.ShellCustomizer(inline="echo hi"),
        "inline",
        ("a list of strings", "inline=['echo hi']"),
    ),
    ("string for a source", template(source="ubuntu"), "source", ("a source", "PlatformImageSource(...)")),
    (
        "single distributor",
        template(distribute=VHD),
        "distribute",
        ("a list of distributors", "distribute=[VhdDistributor("),
    ),
    (
        "single customizer",
        template(customize=SHELL),
        "customize",
        ("a list of customizers", "customize=[ShellCustomizer("),
    ),
    (
        "dict step, string inline",
        template(customize=[{"type": "Shell", "inline": "echo"}]),
        "customize[0].inline",
        ("a list of strings", "inline=['echo']"),
    ),
    (
        "missing location",
        lambda: aib.ImageTemplate(source=SRC, distribute=[VHD]),
        "location",
        ("`location` is required", "location=..."),
    ),
    (
        "missing source",
        lambda: aib.ImageTemplate(location="westus2", distribute=[VHD]),
        "source",
        ("`source` is required",),
    ),
    (
        "missing distribute",
        lambda: aib.ImageTemplate(location="westus2", source=SRC),
        "distribute",
        ("`distribute` is required",),
    ),
    ("int for location", template(location=3), "location", ("a string", "the int 3")),
    (
        "string for vm_profile",
        template(vm_profile="Standard_D2_v2"),
        "vm_profile",
        ("a VmProfile", "vm_profile=VmProfile(...)"),
    ),
    (
        "word for a timeout",
        template(build_timeout_in_minutes="sixty"),
        "build_timeout_in_minutes",
        ("a whole number", "ARM template expression"),
    ),
    (
        "word for a disk size",
        lambda: aib.VmProfile(os_disk_size_gb="big"),
        "os_disk_size_gb",
        ("a whole number",),
    ),
    (
        "fraction for a disk size",
        lambda: aib.VmProfile(os_disk_size_gb=1.5),
        "os_disk_size_gb",
        ("a whole number", "the float 1.5"),
    ),
    ("list for tags", template(tags=["a"]), "tags", ("a mapping of strings to strings", "got a list")),
    ("number as a tag value", template(tags={"team": 1}), "tags['team']", ("a string", "the int 1")),
    (
        "string as a step",
        template(customize=["echo hi"]),
        "customize[0]",
        ("a customizer", "ShellCustomizer(...)"),
    ),
    (
        "dict source without type",
        template(source={"publisher": "Canonical"}),
        "source",
        ('needs its "type"', "'PlatformImage'"),
    ),
    (
        "dict step without type",
        template(customize=[{"inline": ["x"]}]),
        "customize[0]",
        ('needs its "type"', "'Shell'"),
    ),
    (
        "a source as a distributor",
        template(distribute=[SRC]),
        "distribute[0]",
        ("a distributor", "a PlatformImageSource is not a distributor"),
    ),
    ("a distributor as the source", template(source=VHD), "source", ("a source", "got a VhdDistributor")),
    (
        "a distributor as a step",
        template(customize=[VHD]),
        "customize[0]",
        ("a customizer", "is not a customizer"),
    ),
    (
        "string for exit codes",
        lambda: aib.PowerShellCustomizer(valid_exit_codes="0"),
        "valid_exit_codes",
        ("a list of whole numbers", "valid_exit_codes=[0]"),
    ),
    (
        "word among exit codes",
        lambda: aib.PowerShellCustomizer(valid_exit_codes=[0, "ok"]),
        "valid_exit_codes[1]",
        ("a whole number",),
    ),
    (
        "missing image_id",
        lambda: aib.ManagedImageSource(),
        "image_id",
        ("`image_id` is required", "image_id=..."),
    ),
    (
        "missing image_version_id",
        lambda: aib.SharedImageVersionSource(),
        "image_version_id",
        ("`image_version_id` is required",),
    ),
    (
        "missing gallery_image_id",
        lambda: aib.SharedImageDistributor(run_output_name="x"),
        "gallery_image_id",
        ("`gallery_image_id` is required",),
    ),
    (
        "missing run_output_name",
        lambda: aib.VhdDistributor(),
        "run_output_name",
        ("`run_output_name` is required",),
    ),
    ("wrong type name", lambda: aib.ShellCustomizer(type="PowerShell"), "type", ("type must be 'Shell'",)),
    (
        "string for identity",
        template(identity=f"{SUB}/x"),
        "identity",
        ("a UserAssignedIdentity", "identity=UserAssignedIdentity(...)"),
    ),
    (
        "string for depends_on",
        template(depends_on="other"),
        "depends_on",
        ("a list of strings", "depends_on=['other']"),
    ),
    (
        "string for regions",
        lambda: aib.SharedImageDistributor(
            gallery_image_id="g", run_output_name="s", replication_regions="westus2"
        ),
        "replication_regions",
        ("a list of strings", "replication_regions=['westus2']"),
    ),
    (
        "fraction for update_limit",
        lambda: aib.WindowsUpdateCustomizer(update_limit=2.5),
        "update_limit",
        ("a whole number",),
    ),
    (
        "string for vnet_config",
        lambda: aib.VmProfile(vnet_config="vnet"),
        "vnet_config",
        ("a VnetConfig", "vnet_config=VnetConfig(...)"),
    ),
    (
        "list for run_elevated",
        lambda: aib.PowerShellCustomizer(run_elevated=[True]),
        "run_elevated",
        ("True or False",),
    ),
    (
        "number for a script uri",
        lambda: aib.ShellCustomizer(script_uri=5),
        "script_uri",
        ("a string", "the int 5"),
    ),
    (
        "number among inline commands",
        lambda: aib.ShellCustomizer(inline=["echo", 5]),
        "inline[1]",
        ("a string",),
    ),
    (
        "string for artifact tags",
        lambda: aib.VhdDistributor(run_output_name="v", artifact_tags="a=b"),
        "artifact_tags",
        ("a mapping of strings",),
    ),
    (
        "nested: string for inline in a dict step",
        template(customize=[SHELL, {"type": "PowerShell", "inline": "dir"}]),
        "customize[1].inline",
        ("a list of strings",),
    ),
    (
        "nested: missing field in a dict output",
        template(distribute=[{"type": "VHD"}]),
        "distribute[0].run_output_name",
        ("`run_output_name` is required",),
    ),
    (
        "string for optimize",
        template(optimize="fast"),
        "optimize",
        ("expected an Optimize", "optimize=Optimize(...)"),
    ),
    ("bool for auto_run", template(auto_run=True), "auto_run", ("expected an AutoRun", "the bool True")),
    (
        "string as a validator",
        template(validation={"inVMValidations": ["echo"]}),
        "validation.in_vm_validations[0]",
        ("a validator: ShellValidator", "ShellValidator(...)"),
    ),
    (
        "identities as a list",
        lambda: aib.UserAssignedIdentity(user_assigned_identities=[f"{SUB}/x"]),
        "user_assigned_identities",
        ("a mapping of strings",),
    ),
]


@pytest.mark.parametrize(("what", "build", "path", "words"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_python_side_mistake_names_the_python_path_without_pydantic_wording(
    what: str, build: Callable[[], object], path: str, words: tuple[str, ...]
) -> None:
    with pytest.raises(aib.TemplateValidationError) as info:
        build()
    problems = info.value.errors
    assert [p.path for p in problems] == [path]
    text = str(info.value)
    assert f"\n  {path}: " in text
    for word in words:
        assert word in text
    for word in PYDANTIC_WORDS:
        assert word not in text, f"pydantic wording {word!r} in: {text}"
    assert problems[0].code in ("missing-field", "wrong-value-type")


def test_the_mistake_table_is_large_enough() -> None:
    assert len(MISTAKES) >= 30


MISSPELLINGS: list[tuple[Callable[[], object], str, str]] = [
    (
        lambda: aib.ImageTemplate(location="westus2", source=SRC, distribute=[VHD], vm_profil={}),
        "vm_profil",
        "vm_profile",
    ),
    (lambda: aib.PlatformImageSource(publiser="Canonical"), "publiser", "publisher"),
    (lambda: aib.ShellCustomizer(scriptUrl="https://x"), "scriptUrl", "script_uri"),
    (
        lambda: aib.ImageTemplate(location="westus2", source=SRC, distribute=[VHD], VMProfile={}),
        "VMProfile",
        "vm_profile",
    ),
    (lambda: aib.VhdDistributor(run_output="v"), "run_output", "run_output_name"),
    (
        lambda: aib.SharedImageDistributor(
            gallery_image_id="g", run_output_name="s", replication_region=["x"]
        ),
        "replication_region",
        "replication_regions",
    ),
    (
        lambda: aib.ImageTemplate(location="westus2", source=SRC, distribute=[VHD], build_timeout=60),
        "build_timeout",
        "build_timeout_in_minutes",
    ),
]


@pytest.mark.parametrize(("build", "keyword", "meant"), MISSPELLINGS, ids=[m[1] for m in MISSPELLINGS])
def test_a_misspelled_keyword_raises_type_error_with_did_you_mean(
    build: Callable[[], object], keyword: str, meant: str
) -> None:
    with pytest.raises(TypeError) as info:
        build()
    assert f"unexpected keyword argument {keyword!r}" in str(info.value)
    assert f"did you mean `{meant}`?" in str(info.value)
    assert "extra=" in str(info.value)


def test_a_keyword_nothing_like_a_field_lists_the_fields() -> None:
    fields = "vm_size, os_disk_size_gb, user_assigned_identities, vnet_config"
    with pytest.raises(TypeError, match=f"its fields are: {fields}"):
        aib.VmProfile(zzz=1)


def test_camel_case_wire_names_still_work_as_keywords() -> None:
    assert aib.VhdDistributor(runOutputName="v") == aib.VhdDistributor(run_output_name="v")  # type: ignore[call-arg]


def test_unknown_fields_stay_possible_through_extra_and_json() -> None:
    vhd = aib.VhdDistributor(run_output_name="v", extra={"futureField": {"a": 1}})
    assert vhd.to_wire() == {"type": "VHD", "runOutputName": "v", "futureField": {"a": 1}}
    assert dict(vhd.extra or {}) == {"futureField": {"a": 1}}
    built = aib.ImageTemplate(location="westus2", source=SRC, distribute=[vhd], extra={"newProperty": True})
    assert built.to_arm()["properties"]["newProperty"] is True
    # the JSON side keeps unknown fields as before (validate() warns about them)
    loaded = aib.ImageTemplate.from_arm(built.to_arm())
    assert loaded.to_arm() == built.to_arm()
    nested = aib.ImageTemplate(
        location="westus2", source=SRC, distribute=[{"type": "VHD", "runOutputName": "v", "futureField": 1}]
    )
    assert nested.to_arm()["properties"]["distribute"][0]["futureField"] == 1


def test_extra_refuses_a_known_field_and_a_non_mapping() -> None:
    with pytest.raises(
        TypeError, match=r"'runOutputName' is a field of VhdDistributor; pass run_output_name="
    ):
        aib.VhdDistributor(run_output_name="v", extra={"runOutputName": "w"})
    with pytest.raises(TypeError, match="takes a mapping"):
        aib.VhdDistributor(run_output_name="v", extra=["futureField"])  # type: ignore[arg-type]


def test_models_are_immutable_with_a_hint() -> None:
    with pytest.raises(AttributeError, match=r"model_copy\(update=\{'location': \.\.\.\}\)"):
        template()().location = "eastus"  # type: ignore[attr-defined]


def test_lists_and_mappings_of_any_kind_are_accepted_and_stored_immutably() -> None:
    from types import MappingProxyType

    built = aib.ImageTemplate(
        location="westus2",
        source=SRC,
        customize=(SHELL,),
        distribute=[VHD],
        tags=MappingProxyType({"team": "images"}),
        depends_on=["a", "b"],
    )
    assert built.customize == (SHELL,)
    assert built.distribute == (VHD,)
    assert built.depends_on == ("a", "b")
    assert type(built.tags) is dict
    assert built.tags == {"team": "images"}
    assert hash(aib.ShellCustomizer(inline=["a"])) == hash(aib.ShellCustomizer(inline=("a",)))


@pytest.mark.parametrize("model", models_of_every_kind(), ids=lambda m: m.__name__)
def test_every_model_signature_lists_its_snake_case_fields(model: type[WireModel]) -> None:
    params = inspect.signature(model).parameters
    assert list(params) == [*model.model_fields, "extra"]
    for name, param in params.items():
        assert param.kind is inspect.Parameter.KEYWORD_ONLY
        assert name == name.lower()
        assert param.annotation is not inspect.Parameter.empty
    # the declared types, readable: list fields as Sequence[...], never the pydantic alias
    assert not any("Seq[" in str(p.annotation) or "Map[" in str(p.annotation) for p in params.values())


@pytest.mark.parametrize("model", models_of_every_kind(), ids=lambda m: m.__name__)
def test_no_field_declares_an_explicit_alias(model: type[WireModel]) -> None:
    # Type checkers take Field(alias=...) as the keyword to write; irregular wire names are declared in
    # _fields.py (models._base.WIRE_NAMES).
    for name, info in model.model_fields.items():
        assert info.alias_priority in (None, 1), f"{model.__name__}.{name} declares alias={info.alias!r}"


def test_the_signature_is_snake_case_right_after_import() -> None:
    code = (
        "import inspect, azimagebuilder\n"
        "print(list(inspect.signature(azimagebuilder.ImageTemplate).parameters))\n"
        "print(inspect.signature(azimagebuilder.ImageTemplate).parameters['customize'].annotation)\n"
        "import pydoc\n"
        "text = pydoc.render_doc(azimagebuilder.ImageTemplate, renderer=pydoc.plaintext)\n"
        "print(\"vm_profile: 'VmProfile | None' = None\" in text)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    names, customize, in_help = out.splitlines()
    assert in_help == "True"  # help() shows the same signature
    for name in ("location", "source", "customize", "distribute", "vm_profile", "build_timeout_in_minutes"):
        assert repr(name) in names
    assert "vmProfile" not in names
    assert customize == "Sequence[Customizer]"


@pytest.mark.parametrize(
    ("properties", "path", "words"),
    [
        ({"source": "ubuntu"}, "properties.source", ("expected a source", "got the str 'ubuntu'")),
        (
            {"customize": [{"type": "Shell", "inline": "echo"}]},
            "properties.customize[0].inline",
            ("a list of strings",),
        ),
        (
            {"distribute": [{"type": "VHD"}]},
            "properties.distribute[0].runOutputName",
            ("`runOutputName` is required",),
        ),
        ({"vmProfile": {"osDiskSizeGB": "big"}}, "properties.vmProfile.osDiskSizeGB", ("a whole number",)),
    ],
)
def test_from_arm_reports_json_paths_in_the_same_words(
    properties: dict[str, Any], path: str, words: tuple[str, ...]
) -> None:
    doc: dict[str, Any] = {
        "location": "westus2",
        "properties": {
            "source": {
                "type": "PlatformImage",
                "publisher": "C",
                "offer": "O",
                "sku": "s",
                "version": "latest",
            },
            "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
            **properties,
        },
    }
    with pytest.raises(aib.TemplateValidationError) as info:
        aib.ImageTemplate.from_arm(doc)
    assert [p.path for p in info.value.errors] == [path]
    text = str(info.value)
    for word in words:
        assert word in text
    for word in (*PYDANTIC_WORDS, "write "):
        assert word not in text


def test_jupyter_completion_offers_the_snake_case_keywords() -> None:
    # IPython's completer (Jupyter's) asks jedi, which reads the live signature: in a fresh interpreter,
    # right after the import, before any model was built.
    import jedi  # noqa: F401 - in the test extra; the check runs it in a fresh interpreter

    code = (
        "import jedi, azimagebuilder as aib\n"
        "for text in ('aib.ImageTemplate(vm_', 'aib.ShellCustomizer(script', 'aib.VmProfile(os_'):\n"
        "    print([c.name for c in jedi.Interpreter(text, [{'aib': aib}]).complete()])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["['vm_profile=']", "['script_uri=']", "['os_disk_size_gb=']"]
