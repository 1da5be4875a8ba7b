"""``azimagebuilder validate`` and ``azimagebuilder schema``: output formats and exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from azimagebuilder.cli import main


@pytest.fixture
def files(tmp_path: Path, doc: dict[str, Any]) -> dict[str, Path]:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc), encoding="utf-8")
    bad_doc = json.loads(json.dumps(doc))
    bad_doc["properties"]["customize"][0]["inline"] = "echo hello"
    bad_doc["properties"]["distribute"][0]["aritfactTags"] = {}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_doc), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{ this is not json", encoding="utf-8")
    return {"good": good, "bad": bad, "broken": broken, "missing": tmp_path / "missing.json"}


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]]]:
    status = main(["validate", "--format", "json", *argv])
    return status, json.loads(capsys.readouterr().out)


def test_a_valid_file_exits_0(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", str(files["good"])])
    out = capsys.readouterr().out
    assert status == 0
    assert out == f"{files['good']}: OK\n"


def test_json_output_has_the_documented_shape(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, results = run_json(capsys, str(files["good"]), str(files["bad"]))
    assert status == 3
    assert [r["file"] for r in results] == [str(files["good"]), str(files["bad"])]
    for result in results:
        assert set(result) == {"file", "errors", "warnings"}
        for problem in result["errors"] + result["warnings"]:
            assert set(problem) == {"path", "code", "message"}
    assert results[0]["errors"] == []
    assert results[0]["warnings"] == []
    bad = results[1]
    assert [(p["path"], p["code"]) for p in bad["errors"]] == [
        ("properties.customize[0].inline", "wrong-value-type")
    ]
    assert [(p["path"], p["code"]) for p in bad["warnings"]] == [
        ("properties.distribute[0].aritfactTags", "unknown-field")
    ]
    assert "did you mean `artifactTags`?" in bad["warnings"][0]["message"]


@pytest.mark.parametrize("which", ["broken", "missing"])
def test_unreadable_and_non_json_files_exit_1(
    which: str, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, results = run_json(capsys, str(files["good"]), str(files[which]))
    assert status == 3
    assert results[1]["errors"][0]["code"] in {"invalid-json", "unreadable"}


def test_text_output_lists_problems_and_a_summary(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["validate", str(files["bad"]), str(files["good"])])
    out = capsys.readouterr().out
    assert status == 3
    assert f"{files['bad']}: 1 error(s), 1 warning(s)" in out
    assert "  error: properties.customize[0].inline: " in out
    assert "[wrong-value-type]" in out
    assert out.endswith("2 file(s) checked, 1 with errors\n")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as no_files:
        main(["validate"])
    assert no_files.value.code == 2
    with pytest.raises(SystemExit) as bad_version:
        main(["validate", "x.json", "--api-version", "1999-01-01"])
    assert bad_version.value.code == 2
    with pytest.raises(SystemExit) as bad_format:
        main(["validate", "x.json", "--format", "xml"])
    assert bad_format.value.code == 2
    capsys.readouterr()


def test_api_version_applies_to_templates_that_declare_none(
    doc: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {"location": "southcentralus", "properties": doc["properties"]}
    path = tmp_path / "body.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    # Without --api-version: checked against what the versions it fits share (the preview's regions and
    # the identity 2020-02-14 requires are not shared), and said so.
    status, results = run_json(capsys, str(path))
    assert status == 0
    assert [p["code"] for p in results[0]["warnings"]] == ["api-version-assumed"]
    status, results = run_json(capsys, "--api-version", "2019-05-01-preview", str(path))
    assert status == 3
    assert results[0]["errors"][0]["code"] == "location-not-in-preview"
    # At 2020-02-14 any region is fine, but an identity is required.
    status, results = run_json(capsys, "--api-version", "2020-02-14", str(path))
    assert [p["code"] for p in results[0]["errors"]] == ["identity-required"]


def test_schema_prints_a_json_schema_of_the_document_form(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["properties"]) >= {"type", "apiVersion", "location", "tags", "identity", "properties"}
    properties = schema["properties"]["properties"]["properties"]
    assert {"source", "customize", "distribute", "vmProfile", "buildTimeoutInMinutes"} <= set(properties)
    assert "lastRunStatus" not in properties
    assert "provisioningState" not in properties


def test_schema_accepts_a_valid_template(
    doc: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["schema"])
    schema = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"properties": {}}, schema)


@pytest.mark.needs_shared
def test_every_real_template_is_loaded_or_refused_clearly(shared_reference: Path) -> None:
    files = sorted((shared_reference / "real-templates").glob("*/*.json"))
    assert len(files) >= 40
    proc = subprocess.run(
        [sys.executable, "-m", "azimagebuilder", "validate", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (0, 3), proc.stderr
    results = json.loads(proc.stdout)
    assert [r["file"] for r in results] == [str(f) for f in files]
    for result in results:
        for problem in result["errors"] + result["warnings"]:
            assert problem["code"]
            assert problem["message"]
            assert not problem["message"].startswith(("1 validation error", "Traceback"))
    by_name = {Path(r["file"]).name: r for r in results}
    iso = by_name["armTemplates__rhel_iso_image_deploy_mdi.json"]
    assert [p["code"] for p in iso["errors"]] == ["iso-source-deprecated"]
    assert "31 March 2020" in iso["errors"][0]["message"]
    sigmdi = by_name["armTemplates__azplatform_image_deploy_sigmdi.json"]
    assert sigmdi["errors"] == []
    assert any("did you mean `artifactTags`?" in p["message"] for p in sigmdi["warnings"])
    # Templates with the document's <placeholders> are refused naming the field.
    placeholders = [p for r in results for p in r["errors"] if p["code"] == "placeholder"]
    assert placeholders
    assert all(p["path"] and "placeholder" in p["message"] for p in placeholders)


def test_the_schema_accepts_every_golden_example(capsys: pytest.CaptureFixture[str]) -> None:
    main(["schema"])
    schema = json.loads(capsys.readouterr().out)
    golden = sorted((Path(__file__).resolve().parent.parent / "golden" / "document").glob("*.json"))
    examples = [p for p in golden if p.name != "run-output.json" and ".document." not in p.name]
    assert len(examples) >= 20
    for path in examples:
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)


def test_a_bug_is_reported_as_an_error_for_that_file_not_a_traceback(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import azimagebuilder.validation as validation

    real = validation.validate_each

    def broken(source: object, **kwargs: object) -> object:
        if str(source).endswith("bad.json"):
            raise AttributeError("simulated bug")
        return real(source, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validation, "validate_each", broken)
    status, results = run_json(capsys, str(files["bad"]), str(files["good"]))
    assert status == 3
    assert results[0]["errors"][0]["code"] == "internal-error"
    assert "simulated bug" in results[0]["errors"][0]["message"]
    assert results[1]["errors"] == []


def test_dash_reads_standard_input(
    doc: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    class Stdin:
        buffer = io.BytesIO(json.dumps(doc).encode("utf-8"))

    monkeypatch.setattr(sys, "stdin", Stdin)
    status, results = run_json(capsys, "-")
    assert status == 0
    assert results == [{"file": "-", "errors": [], "warnings": []}]
    Stdin.buffer = io.BytesIO(b"westus2")
    status, results = run_json(capsys, "-")
    assert status == 3
    assert results[0]["errors"][0]["code"] == "invalid-json"
