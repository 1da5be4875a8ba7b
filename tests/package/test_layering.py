"""The package has no import circle, and each module imports only what its layer may (docs/architecture.md,
"Layers").

Each module is imported alone (a fresh set of azimagebuilder modules each time) and what it loads is
checked against the layers; the static import graph (imports inside functions included) has no cycle
between the package's parts; the rule engine and the leaf modules never import pydantic or the models.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from run_once import once_per_run

PACKAGE = Path(__file__).resolve().parents[2] / "azimagebuilder"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"

# Module (or package prefix) -> layer. A module may load modules of its own layer or lower only.
LAYERS: dict[str, int] = {
    "azimagebuilder": 0,
    "azimagebuilder._version": 0,
    "azimagebuilder._constants": 0,
    "azimagebuilder._codes": 0,
    "azimagebuilder._problems": 0,
    "azimagebuilder._expressions": 0,
    "azimagebuilder._fields": 0,
    "azimagebuilder._errors": 0,
    "azimagebuilder.validation": 1,
    "azimagebuilder.models": 1,
    "azimagebuilder.loading": 2,
    "azimagebuilder._operations": 3,
    "azimagebuilder._polling": 3,
    "azimagebuilder._build": 3,
    "azimagebuilder._client": 3,
    "azimagebuilder.aio": 3,
    "azimagebuilder.progress": 3,
    "azimagebuilder.resources": 3,
    "azimagebuilder.emulator": 3,
    "azimagebuilder.testing": 3,
    "azimagebuilder.cli": 4,
}
# Parts of one layer that must not load each other.
APART = [
    ("azimagebuilder.validation", "azimagebuilder.models"),
    ("azimagebuilder.emulator", "azimagebuilder._client"),
    ("azimagebuilder.emulator", "azimagebuilder._build"),
    ("azimagebuilder.emulator", "azimagebuilder._operations"),
    ("azimagebuilder.emulator", "azimagebuilder.aio"),
]
# Modules that never import pydantic or the models, even inside a function.
PURE = [
    "azimagebuilder._codes",
    "azimagebuilder._problems",
    "azimagebuilder._expressions",
    "azimagebuilder._fields",
    "azimagebuilder._constants",
    "azimagebuilder.validation._engine",
]


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _part(module: str) -> str:
    """The layer entry a module belongs to (its longest prefix in LAYERS)."""
    best = max((key for key in LAYERS if module == key or module.startswith(key + ".")), key=len)
    return best


def _layer(module: str) -> int:
    return LAYERS[_part(module)]


def test_every_module_has_a_layer() -> None:
    for module in _modules():
        if module == "azimagebuilder.__main__":
            continue
        assert _part(module) in LAYERS


_PROBE = """
import importlib, json, sys
out = {}
for name in json.loads(sys.argv[1]):
    for key in [k for k in sys.modules if k == "azimagebuilder" or k.startswith("azimagebuilder.")]:
        del sys.modules[key]
    before = set(sys.modules)
    try:
        importlib.import_module(name)
    except Exception as exc:
        out[name] = repr(exc)
        continue
    out[name] = sorted(k for k in set(sys.modules) - before if k.startswith("azimagebuilder"))
print(json.dumps(out))
"""


def _loaded_alone() -> dict[str, list[str] | str]:
    names = [m for m in _modules() if m != "azimagebuilder.__main__"]
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(names)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result: dict[str, list[str] | str] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="session")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str] | str]:
    """What each module loads when imported alone: probed once per test run."""
    result: dict[str, list[str] | str] = once_per_run(tmp_path_factory, "layering", lambda _: _loaded_alone())
    return result


@pytest.mark.slow
def test_each_module_imports_alone(loaded: dict[str, list[str] | str]) -> None:
    assert {name: error for name, error in loaded.items() if isinstance(error, str)} == {}


def test_a_module_loads_nothing_above_its_layer(loaded: dict[str, list[str] | str]) -> None:
    wrong = []
    for name, modules in loaded.items():
        assert isinstance(modules, list)
        for other in modules:
            if _layer(other) > _layer(name):
                wrong.append(f"{name} (layer {_layer(name)}) loads {other} (layer {_layer(other)})")
            for a, b in APART:
                for x, y in ((a, b), (b, a)):
                    if _part(name) == x and (other == y or other.startswith(y + ".")):
                        wrong.append(f"{name} loads {other}")
    assert not wrong, "\n".join(wrong)


def _static_imports(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    """Every module ``path`` imports, inside functions too, but not under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    # A module-level __getattr__ re-exports names on first use (the package's public surface, and
    # ``validation.validate`` from the front door in ``loading``): an alias, not a dependency.
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            skipped.update(id(n) for n in ast.walk(node))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_import_circle_between_the_parts_of_the_package() -> None:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        if module == "azimagebuilder.__main__":
            continue
        here = _part(module)
        targets = {
            _part(t) for t in _static_imports(path, module, modules) if t in modules and t != "azimagebuilder"
        }
        graph.setdefault(here, set()).update(
            t for t in targets if t != here and t != "azimagebuilder.__main__"
        )

    # Every path between parts goes down the layers, or stays in a layer without coming back.
    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            for nxt in graph.get(node, ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    circles = sorted({f"{a} <-> {b}" for a in graph for b in graph[a] if reaches(b, a)})
    assert circles == []


@pytest.mark.parametrize("module", PURE)
def test_the_rule_engine_and_the_leaves_never_import_pydantic_or_the_models(module: str) -> None:
    modules = _modules()
    imported = _static_imports(modules[module], module, modules)
    assert not {i for i in imported if i.split(".")[0] == "pydantic"}
    assert not {i for i in imported if i.startswith(("azimagebuilder.models", "azimagebuilder.loading"))}
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print('pydantic' in sys.modules)"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_the_layers_are_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## Layers") :]
    for part in LAYERS:
        if part != "azimagebuilder":
            assert f"`{part.removeprefix('azimagebuilder.')}" in section, part
