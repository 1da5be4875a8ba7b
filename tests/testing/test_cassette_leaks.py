"""Every cassette in cassettes/ is free of secrets, real ids, loopback hosts, and says how it was recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from azimagebuilder.testing.cassettes import read_provenance, scan_cassettes

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
RECORDED_TESTS = Path(__file__).resolve().parents[1] / "recorded"
ALL_CASSETTES = sorted(CASSETTES.rglob("*.yaml"))


def test_every_recorded_test_module_has_cassettes() -> None:
    modules = sorted(p.stem for p in RECORDED_TESTS.glob("test_*.py"))
    assert modules, "tests/recorded has no test modules"
    for module in modules:
        assert list((CASSETTES / module).glob("*.yaml")), f"cassettes/{module}/ holds no cassette"


def test_no_cassette_leaks_a_secret() -> None:
    assert ALL_CASSETTES, "no cassette found under cassettes/"
    leaks = scan_cassettes(CASSETTES)
    assert not leaks, "scrub these cassettes (or fix the scrubber):\n" + "\n".join(map(str, leaks))


@pytest.mark.parametrize("cassette", ALL_CASSETTES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_cassette_says_how_it_was_recorded(cassette: Path) -> None:
    provenance = read_provenance(cassette)
    assert provenance is not None, f"{cassette} has no `recorded:` field"
    assert provenance["against"] in {"emulator", "azure"}
    assert provenance["api_versions"]
