"""examples/python_api.ipynb runs top to bottom in a real Jupyter kernel and shows what it says it shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_once import once_per_run

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "python_api.ipynb"


@pytest.fixture(scope="session")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The notebook as a kernel ran it: once per test run (a kernel's start is the costly part)."""
    import ipykernel  # noqa: F401 - the kernel the notebook runs in
    import nbclient
    import nbformat

    def run(_: Path) -> str:
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        nbclient.NotebookClient(
            notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
        ).execute()
        return str(nbformat.writes(notebook))

    return nbformat.reads(once_per_run(tmp_path_factory, "notebook", run), as_version=4)


def _outputs(notebook: Any, index: int) -> list[Any]:
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    return list(code_cells[index].outputs)


def _data(outputs: list[Any], mime: str) -> str:
    return "".join(o.get("data", {}).get(mime, "") for o in outputs)


def _stream(outputs: list[Any]) -> str:
    return "".join(o.get("text", "") for o in outputs if o.output_type == "stream")


@pytest.mark.slow
def test_every_cell_runs_without_an_error(executed: Any) -> None:
    errors = [
        o
        for cell in executed.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if o.output_type == "error"
    ]
    assert errors == []


def test_a_template_shows_as_a_summary_table(executed: Any) -> None:
    html = _data(_outputs(executed, 0), "text/html")
    assert "ImageTemplate in westus2" in html
    assert '<th style="text-align:left">step 1</th>' in html
    assert "inline: 2 commands" in html


def test_reports_show_as_tables(executed: Any) -> None:
    clean = _outputs(executed, 1)
    assert "ok: no problems" in _data(clean, "text/html")
    assert _data(clean, "text/plain") == "ok: no problems"
    failing = _data(_outputs(executed, 2), "text/html")
    assert "<th>severity</th><th>path</th><th>code</th><th>message</th>" in failing
    assert "properties.source.publisher" in failing
    assert "distribute-empty" in failing


def test_mistakes_print_the_python_path_and_what_to_write(executed: Any) -> None:
    text = _stream(_outputs(executed, 3))
    assert "inline: expected a list of strings" in text
    assert "write inline=['echo hi']" in text
    assert "pydantic" not in text
    assert "did you mean `vm_profile`?" in _stream(_outputs(executed, 4))


def test_the_build_progress_ends_with_the_outcome(executed: Any) -> None:
    outputs = _outputs(executed, 5)
    progress = [o for o in outputs if o.output_type == "display_data"]
    assert len(progress) == 1  # one cell, updated in place
    assert progress[0]["data"]["text/plain"].startswith("hello: Succeeded (")
    assert _data(outputs, "text/plain").endswith("(True, ['vhd'])")
