"""The pydantic models agree with the field declarations (azimagebuilder/_fields.py).

Each declared shape with a model has exactly the declared fields, under the declared Python names, with
the declared wire names as aliases; list fields take any sequence and store a tuple; type tags come from the
declarations; the template model holds every field of the template and of its properties. Together with
test_models_spec.py (declarations == the REST specs) this proves every field of every served version is a
typed field of a model.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence

import pytest

import azimagebuilder.models as M
from azimagebuilder import _fields as D
from azimagebuilder.models._base import TypedWireModel, WireModel

# Shapes that are no model of their own, and why.
NO_MODEL = {
    "ImageTemplate": "ImageTemplate holds the template's and its properties' fields (tested below)",
    "ImageTemplateProperties": "flattened into ImageTemplate",
    "IsoSource": "retired at 2020-02-14; read as UnknownSource and refused by validate()",
    "UserAssignedIdentityDetails": "the values of UserAssignedIdentity.user_assigned_identities (dicts)",
}
# ARM resource keys of the document: kept by ImageTemplate as written, not fields.
_ARM_KEYS = {"type", "apiVersion", "properties", "comments", "condition", "copy", "scope"}


def _model(shape: D.Shape) -> type[WireModel]:
    assert shape.model is not None, shape.name
    model = getattr(M, shape.model)
    assert issubclass(model, WireModel)
    return model


def _modelled() -> list[D.Shape]:
    return [s for s in D.shapes() if s.name not in NO_MODEL]


def test_every_shape_has_a_model_or_a_reason() -> None:
    assert [s.name for s in D.shapes() if s.model is None and s.name not in NO_MODEL] == []
    assert {s.name for s in _modelled()} >= {"Validation", "Optimize", "TargetRegion", "DataDisk", "AutoRun"}


@pytest.mark.parametrize("shape", _modelled(), ids=lambda s: s.name)
def test_model_fields_are_the_declared_fields(shape: D.Shape) -> None:
    model = _model(shape)
    fields = model.model_fields
    assert set(fields) == {f.python for f in shape.fields}
    for declared in shape.fields:
        info = fields[declared.python]
        assert info.alias == declared.wire, declared.python
        if info.is_required():
            assert declared.required, f"{shape.name}.{declared.python} is required in the model only"


@pytest.mark.parametrize("shape", _modelled(), ids=lambda s: s.name)
def test_list_fields_take_any_sequence(shape: D.Shape) -> None:
    hints = typing.get_type_hints(_model(shape), include_extras=True)
    for declared in shape.fields:
        if declared.kind in ("strlist", "intlist", "objlist"):
            text = str(hints[declared.python])
            assert "Sequence" in text, f"{shape.name}.{declared.python}: {text}"
            assert "tuple" in text, f"{shape.name}.{declared.python}: {text}"


def _written() -> list[D.Shape]:
    """Shapes a request may carry: not those only the service fills in (behind a read-only field)."""
    reported = {f.of.name for s in D.shapes() for f in s.fields if f.read_only and isinstance(f.of, D.Shape)}
    return [s for s in _modelled() if s.name not in reported]


@pytest.mark.parametrize("shape", _written(), ids=lambda s: s.name)
def test_read_only_fields_are_left_out_of_the_wire_form(shape: D.Shape) -> None:
    assert _model(shape)._read_only == frozenset(f.python for f in shape.fields if f.read_only)


@pytest.mark.parametrize("family", D.FAMILIES, ids=lambda f: f.name)
def test_type_tags_come_from_the_declarations(family: D.Family) -> None:
    for member in family.members:
        if member.model is None:
            continue
        model = _model(member)
        assert model.model_fields[family.discriminator].default == member.tag
        if issubclass(model, TypedWireModel):
            assert model._type_spellings == member.tags


def test_the_template_model_holds_every_template_and_properties_field() -> None:
    fields = M.ImageTemplate.model_fields
    declared = [f for f in D.TEMPLATE.fields if f.wire not in _ARM_KEYS and f.kind != "any"]
    declared += list(D.PROPERTIES.fields)
    declared += [D.TEMPLATE.field("id"), D.TEMPLATE.field("name")]
    assert set(fields) == {f.python for f in declared}
    for f in declared:
        assert fields[f.python].alias == f.wire


def test_python_names_map_to_one_wire_name_each() -> None:
    seen: dict[str, set[str]] = {}
    for shape in D.shapes():
        for f in shape.fields:
            seen.setdefault(f.python, set()).add(f.wire)
    assert {name: wires for name, wires in seen.items() if len(wires) > 1} == {}


def test_snake_case_in_python_exact_camel_case_on_the_wire() -> None:
    template = M.ImageTemplate(
        location="westus2",
        source=M.PlatformImageSource(publisher="Canonical", offer="ubuntu-24_04-lts", sku="server"),
        distribute=[M.VhdDistributor(run_output_name="vhd")],
        staging_resource_group="/subscriptions/s/resourceGroups/staging",
        additional_data_disks=[M.DataDisk(size_gb=32)],
        validation=M.Validation(in_vm_validations=[M.ShellValidator(name="v", inline=["true"])]),
        error_handling=M.ErrorHandling(on_customizer_error="abort"),
    )
    props = template.to_arm()["properties"]
    assert props["stagingResourceGroup"] == "/subscriptions/s/resourceGroups/staging"
    assert props["additionalDataDisks"] == [{"sizeGB": 32}]
    assert props["validate"] == {"inVMValidations": [{"type": "Shell", "name": "v", "inline": ["true"]}]}
    assert props["errorHandling"] == {"onCustomizerError": "abort"}
    assert "staging_resource_group" not in props
    assert template.model_extra == {}
    assert isinstance(template.additional_data_disks, tuple)
    assert isinstance(M.ImageTemplate.from_arm(template.to_arm()).validation, M.Validation)


def test_sequence_alias_is_the_models_list_type() -> None:
    assert issubclass(tuple, Sequence)  # what Seq stores
    region = M.SharedImageDistributor(
        gallery_image_id="/g", run_output_name="r", target_regions=[{"name": "eastus", "replicaCount": 2}]
    )
    assert region.target_regions == (M.TargetRegion(name="eastus", replica_count=2),)
