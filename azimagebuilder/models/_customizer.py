"""The steps run on the build VM, in order: scripts, restarts, file downloads, Windows updates."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Discriminator, Tag

from .. import _fields as D
from ._base import ArmExpression, Seq, TypedWireModel
from ._source import LazyFamily, tagger, types_of


class ShellCustomizer(TypedWireModel):
    """Run a shell script (``script_uri``) or inline commands on a Linux build VM; give exactly one.

    Example:
        >>> ShellCustomizer(name="hello", inline=["echo hello"]).to_wire()
        {'type': 'Shell', 'name': 'hello', 'inline': ['echo hello']}
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.SHELL_CUSTOMIZER.tags
    type: str = D.SHELL_CUSTOMIZER.tag
    name: str | None = None
    script_uri: str | None = None
    sha256_checksum: str | None = None
    inline: Seq[str] | ArmExpression | None = None


class PowerShellCustomizer(TypedWireModel):
    """Run a PowerShell script or inline commands (Windows and Linux).

    Example:
        >>> PowerShellCustomizer(name="ps", inline=["mkdir c:\\\\build"], run_elevated=True).run_elevated
        True
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.POWERSHELL_CUSTOMIZER.tags
    type: str = D.POWERSHELL_CUSTOMIZER.tag
    name: str | None = None
    script_uri: str | None = None
    sha256_checksum: str | None = None
    inline: Seq[str] | ArmExpression | None = None
    valid_exit_codes: Seq[int | ArmExpression] | ArmExpression | None = None
    run_elevated: bool | ArmExpression | None = None
    #: Run as the local system account (with ``run_elevated``); 2020-02-14 and later.
    run_as_system: bool | ArmExpression | None = None


class WindowsRestartCustomizer(TypedWireModel):
    """Restart a Windows build VM and wait for it (``restart_timeout`` such as ``"5m"`` or ``"2h"``).

    Example:
        >>> WindowsRestartCustomizer(restart_timeout="5m").to_wire()
        {'type': 'WindowsRestart', 'restartTimeout': '5m'}
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.WINDOWS_RESTART_CUSTOMIZER.tags
    type: str = D.WINDOWS_RESTART_CUSTOMIZER.tag
    name: str | None = None
    restart_command: str | None = None
    restart_check_command: str | None = None
    restart_timeout: str | None = None


class FileCustomizer(TypedWireModel):
    """Download one small file (< 20 MB) to ``destination``; on Linux only ``/tmp`` is writable.

    Example:
        >>> FileCustomizer(name="f", source_uri="https://example.com/a.txt", destination="/tmp/a.txt").type
        'File'
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.FILE_CUSTOMIZER.tags
    type: str = D.FILE_CUSTOMIZER.tag
    name: str | None = None
    source_uri: str | None = None
    destination: str | None = None
    sha256_checksum: str | None = None


class WindowsUpdateCustomizer(TypedWireModel):
    """Install Windows updates (the community Windows Update provisioner for Packer).

    Example:
        >>> WindowsUpdateCustomizer(search_criteria="IsInstalled=0", update_limit=20).update_limit
        20
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.WINDOWS_UPDATE_CUSTOMIZER.tags
    type: str = D.WINDOWS_UPDATE_CUSTOMIZER.tag
    name: str | None = None
    search_criteria: str | None = None
    filters: Seq[str] | ArmExpression | None = None
    update_limit: int | ArmExpression | None = None


class UnknownCustomizer(TypedWireModel):
    """A customizer of a type this library does not model, read from the service; ``validate`` refuses it."""

    type: str
    name: str | None = None


CUSTOMIZER_TYPES = types_of(
    ShellCustomizer, PowerShellCustomizer, WindowsRestartCustomizer, FileCustomizer, WindowsUpdateCustomizer
)

#: Any customizer; a dict of the wire shape is accepted too.
Customizer = Annotated[
    Annotated[ShellCustomizer, Tag(D.SHELL_CUSTOMIZER.key)]
    | Annotated[PowerShellCustomizer, Tag(D.POWERSHELL_CUSTOMIZER.key)]
    | Annotated[WindowsRestartCustomizer, Tag(D.WINDOWS_RESTART_CUSTOMIZER.key)]
    | Annotated[FileCustomizer, Tag(D.FILE_CUSTOMIZER.key)]
    | Annotated[WindowsUpdateCustomizer, Tag(D.WINDOWS_UPDATE_CUSTOMIZER.key)]
    | Annotated[UnknownCustomizer, Tag("unknown")],
    Discriminator(tagger(CUSTOMIZER_TYPES)),
    LazyFamily(tagger(CUSTOMIZER_TYPES)),
]
