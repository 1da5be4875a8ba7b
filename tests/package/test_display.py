"""What people see: exception names, printed reports, and the notebook (HTML / IPython pretty) displays."""

from __future__ import annotations

import pickle
from html.parser import HTMLParser
from typing import Any

import pytest

import azimagebuilder as aib

PUBLIC_ERRORS = [
    "ImageBuilderError",
    "TemplateValidationError",
    "VhdNotCopiedError",
    "TemplateExistsError",
    "BuildTimeoutError",
    "BuildFailedError",
    "BuildCanceledError",
    "ApiVersionNotSupportedError",
    "ApiVersionTooOldError",
]
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize("name", PUBLIC_ERRORS)
def test_public_exceptions_name_the_package_as_their_module(name: str) -> None:
    cls = getattr(aib, name)
    assert cls.__module__ == "azimagebuilder"
    assert cls.__qualname__ == name
    assert f"azimagebuilder.{name}" in repr(cls)


@pytest.mark.parametrize(
    "error",
    [
        aib.TemplateExistsError("tmpl", ["tags.a"]),
        aib.VhdNotCopiedError("tmpl", ["vhd"]),
        aib.BuildTimeoutError("tmpl", 60.0, "token"),
        aib.ApiVersionTooOldError("begin_update(vm_profile=...)", "2023-07-01", "2024-02-01", field="x"),
    ],
    ids=type,
)
def test_public_exceptions_survive_pickling(error: Exception) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.__dict__ == error.__dict__


def _report() -> aib.ValidationReport:
    return aib.validate(
        {
            "apiVersion": "2019-05-01-preview",
            "location": "westus2",
            "properties": {
                "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "<O>", "sku": "s"},
                "distribute": [],
                "vmProfil": {},
            },
        }
    )


def test_a_report_prints_one_line_per_problem_under_a_summary() -> None:
    report = _report()
    lines = str(report).splitlines()
    assert lines[0] == f"{len(report.errors)} errors, {len(report.warnings)} warning"
    assert len(lines) == 1 + len(report.errors) + len(report.warnings)
    assert lines[1].split()[0] == "error"
    assert any(line.split()[0] == "warning" and "vmProfil" in line for line in lines)
    assert str(aib.ValidationReport()) == "ok: no problems"


class _Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.caption = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("td", "th", "caption"):
            self._in = tag
            if tag != "caption":
                self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = None if tag in ("td", "th", "caption") else self._in

    def handle_data(self, data: str) -> None:
        if self._in == "caption":
            self.caption += data
        elif self._in:
            self.cells[-1] += data


def _parse(html: str) -> _Table:
    table = _Table()
    table.feed(html)
    return table


def test_a_report_shows_as_a_table_in_a_notebook() -> None:
    report = _report()
    table = _parse(report._repr_html_())
    assert table.caption == str(report).splitlines()[0]
    assert table.cells[:4] == ["severity", "path", "code", "message"]
    first = report.errors[0]
    assert table.cells[4:8] == ["error", first.path, first.code, first.message]
    assert len(table.cells) == 4 * (1 + len(report.errors) + len(report.warnings))


def test_html_displays_escape_what_they_quote() -> None:
    problem = aib.Problem("properties.customize[0].name", "x", "<script>alert(1)</script>")
    assert "<script>" not in problem._repr_html_()
    assert "&lt;script&gt;" in problem._repr_html_()


def test_ipython_pretty_shows_the_readable_text() -> None:
    class Printer:
        def __init__(self) -> None:
            self.out = ""

        def text(self, s: str) -> None:
            self.out += s

    report = _report()
    printer = Printer()
    report._repr_pretty_(printer, False)
    assert printer.out == str(report)
    printer = Printer()
    report.errors[0]._repr_pretty_(printer, False)
    assert printer.out == f"error: {report.errors[0]}"


def test_a_template_shows_its_source_steps_and_outputs_in_a_notebook() -> None:
    template = aib.ImageTemplate(
        location="westus2",
        source=aib.PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS"),
        customize=[
            aib.ShellCustomizer(name="setup", inline=["echo <1>", "echo 2"]),
            aib.WindowsRestartCustomizer(restart_timeout="5m"),
        ],
        distribute=[
            aib.SharedImageDistributor(
                gallery_image_id=f"{SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d",
                run_output_name="sig",
                replication_regions=["westus2", "eastus"],
            ),
            aib.VhdDistributor(run_output_name="vhd"),
        ],
        vm_profile=aib.VmProfile(vm_size="Standard_D2_v2"),
    )
    table = _parse(template._repr_html_())
    assert table.caption == "ImageTemplate in westus2"
    rows = [table.cells[i : i + 4] for i in range(0, len(table.cells), 4)]
    assert rows[0] == ["", "type", "name", "details"]
    assert rows[1][:2] == ["source", "PlatformImage"]
    assert "offer=UbuntuServer" in rows[1][3]
    assert rows[2][:3] == ["step 1", "Shell", "setup"]
    assert rows[2][3] == "inline: 2 commands"
    assert rows[3][:2] == ["step 2", "WindowsRestart"]
    assert rows[4][:3] == ["output", "SharedImage", "sig"]
    assert "regions=westus2, eastus" in rows[4][3]
    assert rows[5][:3] == ["output", "VHD", "vhd"]
    assert rows[6] == ["build", "", "", "vm_size=Standard_D2_v2"]
