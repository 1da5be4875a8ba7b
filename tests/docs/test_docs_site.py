"""The documentation site's configuration (mkdocs.yml) stays in step with docs/.

``mkdocs build --strict`` (run by .ci/run) checks links, references and docstrings; these checks are the
cheap part of it that every ``pytest`` run repeats, so a new page cannot be forgotten in the navigation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "docs"


def _nav_pages(entries: Any) -> list[str]:
    pages: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            pages.append(entry)
        elif isinstance(entry, dict):
            for value in entry.values():
                pages.extend([value] if isinstance(value, str) else _nav_pages(value))
    return pages


def _config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return config


def test_every_page_is_in_the_navigation() -> None:
    in_nav = set(_nav_pages(_config()["nav"]))
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    missing = sorted(pages - in_nav)
    assert not missing, (
        "these pages are not in the site's navigation: add each to `nav:` in mkdocs.yml, under the section "
        "it belongs to (mkdocs build --strict fails otherwise):\n  "
        + "\n  ".join(f"docs/{p}" for p in missing)
    )


def test_every_navigation_entry_is_a_page() -> None:
    absent = sorted(p for p in _nav_pages(_config()["nav"]) if not (DOCS / p).is_file())
    assert not absent, f"mkdocs.yml's nav names pages that do not exist under docs/: {absent}"


def test_each_public_package_has_a_reference_page() -> None:
    generated = {
        line.removeprefix("<!-- api: ").removesuffix(" -->")
        for page in (DOCS / "reference").glob("*.md")
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("<!-- api: ")
    }
    from test_api_docstrings import PUBLIC_MODULES

    assert generated == set(PUBLIC_MODULES)
    assert "<!-- cli -->" in (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")


def test_no_page_names_a_path_outside_the_repository_or_the_projects_own_process() -> None:
    """A user has the repository, not the maintainers' reference folder nor their issue tracker's numbers."""
    outside = re.compile(r"\.\./shared|/work/|SERVICE-BEHAVIOUR|azure-cli-recordings/|\(issue \d+\)")
    found = [
        f"{page.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for page in [REPO_ROOT / "README.md", *DOCS.rglob("*.md")]
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line)
    ]
    assert not found, "say it without the path a user does not have:\n  " + "\n  ".join(found)
