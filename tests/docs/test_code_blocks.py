"""Every fenced Python and shell block of README.md and docs/ runs as written and prints what it says.

One test per page: its Python blocks run in order in one namespace (a page reads like a notebook), in a
fresh working directory, and a ``print(...)`` with a trailing comment must print that comment
(``<...>`` and ``...`` stand for any text; `` -- `` starts prose that is not compared; `` / `` separates
alternatives). Shell blocks run line by line; a line naming ``azimagebuilder`` runs the command line.

A block that can only run against live Azure says so in its info string: ```` ```python live-azure ````.
(Other pages' own tests check more, e.g. that docs/template/'s JSON is exactly what the Python writes;
they live beside this one in tests/docs/.)
"""

from __future__ import annotations

import ast
import builtins
import io
import os
import re
import shlex
import subprocess
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [REPO_ROOT / "README.md", *(REPO_ROOT / "docs").rglob("*.md")],
    key=lambda p: p.relative_to(REPO_ROOT).as_posix(),
)
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
PYTHON = {"python", "py", "pycon"}
SHELL = {"bash", "sh", "shell", "console"}
#: The reasons a block may be left out, as the mark in its info string (```` ```python live-azure ````).
SKIP_MARKS = {
    "live-azure": "needs an Azure subscription",
}
LIVE_AZURE = "live-azure"


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    language: str
    marks: tuple[str, ...]
    code: str
    section: str  # the heading (``## ...``) the block is under


_HEADING = re.compile(r"^## (.*)$", re.MULTILINE)


def blocks(path: Path) -> Iterator[Block]:
    text = path.read_text(encoding="utf-8")
    headings = [(m.start(), m.group(1)) for m in _HEADING.finditer(text)]
    for match in _FENCE.finditer(text):
        language, *marks = match.group(1).split() or [""]
        section = next((title for start, title in reversed(headings) if start < match.start()), "")
        yield Block(
            path.relative_to(REPO_ROOT).as_posix(),
            text.count("\n", 0, match.start()) + 2,
            language,
            tuple(marks),
            match.group(2),
            section,
        )


def _pages_with(languages: set[str]) -> list[str]:
    """The pages with a block of ``languages`` to run (one that is not marked as not runnable here)."""
    return [
        p.relative_to(REPO_ROOT).as_posix()
        for p in PAGES
        if any(b.language in languages and not set(b.marks) & set(SKIP_MARKS) for b in blocks(p))
    ]


def _comments(code: str) -> dict[int, str]:
    """Line number -> the comment that ends that line."""
    return {
        token.start[0]: token.string[1:].strip()
        for token in tokenize.generate_tokens(io.StringIO(code).readline)
        if token.type == tokenize.COMMENT
    }


#: A comment after a bare expression is compared with its repr when it looks like one (a notebook cell
#: shows the value): a quote, bracket, brace, digit, ``True``/``False``/``None``, or ``<`` first.
_LOOKS_LIKE_A_VALUE = re.compile(r"""^(['"\[{(<\d-]|True\b|False\b|None\b)""")


class _ShowExpressions(ast.NodeTransformer):
    """``expr  # value`` -> ``__show__(line, expr)``, for the bare expressions whose comment is a value."""

    def __init__(self, comments: dict[int, str]) -> None:
        self.comments = comments

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        comment = self.comments.get(node.end_lineno or node.lineno, "")
        is_print = isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "print"
        if is_print or not _LOOKS_LIKE_A_VALUE.match(comment):
            return node
        call = ast.Call(ast.Name("__show__", ast.Load()), [ast.Constant(node.end_lineno), node.value], [])
        return ast.copy_location(ast.Expr(call), node)


def _without_prose(comment: str) -> str:
    """The compared part of a comment: up to `` -- ``, without a closing ``(remark)``."""
    return re.sub(r"\s+\([^()]*\)$", "", comment.split(" -- ")[0].strip())


def _equals_literal(expected: str, value: Any) -> bool:
    try:
        return bool(value == ast.literal_eval(_without_prose(expected)))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False


def _matches(expected: str, printed: str) -> bool:
    expected = _without_prose(expected)
    for alternative in expected.split(" / "):
        pattern = re.escape(alternative.strip())
        pattern = re.sub(
            r"<[^<>]*>|\\\.\\\.\\\.", lambda m: ".*", pattern.replace(r"\<", "<").replace(r"\>", ">")
        )
        for candidate in {printed, printed.strip("'\"")}:
            if re.fullmatch(pattern, candidate) or re.fullmatch(pattern.strip("'\""), candidate):
                return True
    return False


_WHAT_TO_DO = "change the example or the comment (<...> or ... stand for any text; ' -- ' starts prose)"


def _run_python(block: Block, namespace: dict[str, Any]) -> None:
    comments = _comments(block.code)
    lines = block.code.splitlines()
    expected = {n: c for n, c in comments.items() if "print(" in lines[n - 1].split("#")[0]}
    printed: dict[int, list[str]] = {}
    shown: dict[int, Any] = {}

    def show(line: int, value: Any) -> None:
        shown[line] = value

    real_print = builtins.print

    def recording_print(*args: Any, **kwargs: Any) -> None:
        frame = sys._getframe(1)
        if frame.f_code.co_filename == filename and kwargs.get("file") is None:
            out = io.StringIO()
            real_print(*args, **{**kwargs, "file": out})
            printed.setdefault(frame.f_lineno, []).append(out.getvalue().rstrip("\n"))
        real_print(*args, **kwargs)

    filename = f"{block.page}:{block.line}"
    namespace["print"] = recording_print
    namespace["__show__"] = show
    tree = _ShowExpressions(comments).visit(ast.parse(block.code, filename))
    exec(compile(ast.fix_missing_locations(tree), filename, "exec"), namespace)
    for line, value in shown.items():
        assert _equals_literal(comments[line], value) or _matches(comments[line], repr(value)), (
            f"{filename}: line {line} of the block is {value!r}, but its comment says {comments[line]!r}: "
            + _WHAT_TO_DO
        )
    for line, comment in expected.items():
        outputs = printed.get(line)
        assert outputs, (
            f"{filename}: the print on line {line} of the block printed nothing (it says {comment!r})"
        )
        assert all(_matches(comment, out) for out in outputs), (
            f"{filename}: line {line} of the block printed {outputs[-1]!r}, "
            f"but its comment says {comment!r}: " + _WHAT_TO_DO
        )


@pytest.mark.parametrize("page", _pages_with(PYTHON))
@pytest.mark.slow
def test_python_blocks_run_as_written(
    page: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.chdir(tmp_path)  # as in a checkout (the files the examples name), but writing nothing there
    (tmp_path / "examples").symlink_to(REPO_ROOT / "examples")
    namespace: dict[str, Any] = {"__name__": "__main__"}
    context = PAGE_CONTEXT.get(page)
    if context is not None:
        namespace.update(request.getfixturevalue(context))
    ran = 0
    section = None
    for block in blocks(REPO_ROOT / page):
        if block.language not in PYTHON or set(block.marks) & set(SKIP_MARKS):
            continue
        if block.section != section:
            section = block.section
            for (where, prefix), fixture in SECTION_CONTEXT.items():
                if where == page and section.startswith(prefix):
                    namespace.update(request.getfixturevalue(fixture))
        _run_python(block, namespace)
        ran += 1
    assert ran


#: Pages whose walkthrough talks to a service given in an earlier, live-only block: the names that block
#: defines, from a fixture (the same calls against the emulator).
PAGE_CONTEXT = {"docs/client.md": "emulator_client_names"}


@pytest.fixture
def emulator_client_names() -> Iterator[dict[str, Any]]:
    """``client``: docs/client.md's section 1 client, against the emulator (the same api-version)."""
    from azimagebuilder import CURRENT_STABLE_API_VERSION, ImageBuilderClient
    from azimagebuilder.emulator import Emulator

    with (
        Emulator(build_duration=0.5) as emu,
        ImageBuilderClient(
            emu.credential,
            emu.subscription_id,
            base_url=emu.base_url,
            connection_verify=emu.ca_cert,
            api_version=CURRENT_STABLE_API_VERSION,
            polling_interval=0.05,
        ) as client,
    ):
        yield {"client": client}


#: Sections that say they run against other names than the page's first blocks: (page, heading start).
SECTION_CONTEXT = {("docs/client.md", "7."): "client_md_section_7_names"}


@pytest.fixture
def client_md_section_7_names() -> Iterator[dict[str, Any]]:
    """docs/client.md section 7: "the cells below run against the emulator at 2025-10-01", with a template
    ``hello`` whose build lasts long enough to cancel, and ``from-gallery`` built from a gallery image."""
    import azimagebuilder as aib
    from azimagebuilder.emulator import Emulator

    with (
        Emulator(build_duration=60, create_duration=0.2, delete_duration=0.2) as emu,
        aib.ImageBuilderClient(
            emu.credential,
            emu.subscription_id,
            base_url=emu.base_url,
            connection_verify=emu.ca_cert,
            api_version="2025-10-01",
            polling_interval=0.05,
        ) as client,
    ):
        group = f"/subscriptions/{emu.subscription_id}/resourceGroups/my-rg/providers"
        common: dict[str, Any] = {
            "location": "westus2",
            "identity": aib.UserAssignedIdentity.from_id(
                f"{group}/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
            ),
            "distribute": [aib.VhdDistributor(run_output_name="vhd")],
        }
        platform = aib.PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS")
        gallery = aib.SharedImageVersionSource(
            image_version_id=f"{group}/Microsoft.Compute/galleries/g/images/ubuntu/versions/latest"
        )
        client.begin_create_or_update("my-rg", "hello", aib.ImageTemplate(source=platform, **common)).result()
        client.begin_create_or_update(
            "my-rg", "from-gallery", aib.ImageTemplate(source=gallery, **common)
        ).result()
        yield {"client": client, "aib": aib}


@pytest.mark.parametrize("page", _pages_with(SHELL))
@pytest.mark.slow
def test_shell_blocks_run_as_written(page: str, tmp_path: Path) -> None:
    for block in blocks(REPO_ROOT / page):
        if block.language not in SHELL or set(block.marks) & set(SKIP_MARKS):
            continue
        for line in _shell_lines(block.code):
            _run_shell(block, line, tmp_path)


def _shell_lines(code: str) -> list[str]:
    """The block's commands: a backslash continues a line, and so does a quote left open."""
    lines: list[str] = []
    pending = ""
    for line in code.replace("\\\n", " ").splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending = f"{pending}\n{line}" if pending else line
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # "No closing quotation": the command goes on
            continue
        lines.append(pending)
        pending = ""
    assert not pending, f"a quote is never closed in:\n{code}"
    return lines


_RAN: dict[tuple[str, ...], tuple[int, str]] = {}


def _run_command(args: tuple[str, ...], cwd: Path) -> tuple[int, str]:
    """``azimagebuilder ARGS`` in a fresh process; a command several pages show runs once per worker.

    A command it runs (``azimagebuilder emulator -- sh -c '...'``) finds this environment's scripts first.
    """
    if args not in _RAN:
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        done = subprocess.run(
            [sys.executable, "-m", "azimagebuilder", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "COLUMNS": "100", "PATH": path},
            check=False,
        )
        _RAN[args] = (done.returncode, done.stdout + done.stderr)
    return _RAN[args]


def _setup_extras() -> set[str]:
    text = (REPO_ROOT / "setup.cfg").read_text(encoding="utf-8")
    section = text.split("[options.extras_require]", 1)[1].split("\n[", 1)[0]
    return set(re.findall(r"^(\w+) =", section, flags=re.MULTILINE))


def _run_shell(block: Block, line: str, cwd: Path) -> None:
    """Run one command of a shell block; a command that would change this environment is checked instead."""
    where = f"{block.page}:{block.line}: `{line.strip()}`"
    for words in _commands(line):
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            words = words[1:]  # VAR=value prefixes
        if words[:2] == ["python", "-m"]:
            words = words[2:]
        if not words:
            continue
        tool = words[0]
        if tool == "pip":  # installing would change the test environment: the extras it names must exist
            extras = {e for w in words for e in re.findall(r"\[([\w,]+)\]", w) for e in e.split(",")}
            assert extras <= _setup_extras(), (
                f"{where}: no such extra in setup.cfg: {extras - _setup_extras()}"
            )
        elif tool == "pytest":  # the suite itself: the paths it names exist
            missing = [w for w in words[1:] if not w.startswith("-") and not (REPO_ROOT / w).exists()]
            assert not missing, f"{where}: no such test path {missing}"
        elif tool == "mkdocs":  # .ci/run builds the site
            assert (REPO_ROOT / "mkdocs.yml").is_file(), where
            assert words[1] in {"serve", "build"}, where
        elif tool == "azimagebuilder":
            # A command naming a file of the repository (examples/...) runs from a clone's root, as users do.
            named = re.findall(r"[\w.-]+(?:/[\w.-]+)+", " ".join(words[1:]))
            in_repo = any((REPO_ROOT / path).is_file() for path in named)
            status, output = _run_command(tuple(words[1:]), REPO_ROOT if in_repo else cwd)
            assert status == 0, f"{where}: exit {status}\n{output}"
        else:
            raise AssertionError(
                f"{where}: this test does not know how to run {tool!r}: mark the block with why it cannot "
                f"run here ({', '.join(SKIP_MARKS)}), or teach tests/docs/test_code_blocks.py"
            )


def _commands(line: str) -> list[list[str]]:
    """The words of each command of ``a && b``; an ``&&`` inside quotes is a word's, not a separator."""
    commands: list[list[str]] = [[]]
    for word in shlex.split(line, comments=True):
        if word == "&&":
            commands.append([])
        else:
            commands[-1].append(word)
    return commands


def test_unmarked_blocks_are_python_shell_or_data() -> None:
    """A block's info string says what it is, so this test knows whether to run it."""
    unknown = [
        f"{b.page}:{b.line}: ```{' '.join((b.language, *b.marks))}"
        for page in PAGES
        for b in blocks(page)
        if b.language not in PYTHON | SHELL | {"json", "yaml", "text", "toml", "ini", "jsonc", "powershell"}
        or not set(b.marks) <= set(SKIP_MARKS)
    ]
    assert not unknown, (
        "give these blocks a language (python, bash, json, yaml, text, ...) and only these marks "
        f"{SKIP_MARKS}:\n  " + "\n  ".join(unknown)
    )
