"""In-VM validation (``properties.validate``, 2022-02-14 and later): scripts run on the build VM after
customization to check the image before it is distributed."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Discriminator, Tag

from .. import _fields as D
from ._base import ArmExpression, Seq, TypedWireModel, WireModel
from ._source import LazyFamily, tagger, types_of


class ShellValidator(TypedWireModel):
    """Run a shell script (``script_uri``) or inline commands to check a Linux image; give exactly one.

    Example:
        >>> ShellValidator(name="check", inline=["test -f /etc/motd"]).to_wire()
        {'type': 'Shell', 'name': 'check', 'inline': ['test -f /etc/motd']}
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.SHELL_VALIDATOR.tags
    type: str = D.SHELL_VALIDATOR.tag
    name: str | None = None
    script_uri: str | None = None
    sha256_checksum: str | None = None
    inline: Seq[str] | ArmExpression | None = None


class PowerShellValidator(TypedWireModel):
    """Run a PowerShell script or inline commands to check the image.

    Example:
        >>> PowerShellValidator(name="check", inline=["Test-Path C:\\\\app"], run_elevated=True).run_elevated
        True
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.POWERSHELL_VALIDATOR.tags
    type: str = D.POWERSHELL_VALIDATOR.tag
    name: str | None = None
    script_uri: str | None = None
    sha256_checksum: str | None = None
    inline: Seq[str] | ArmExpression | None = None
    run_elevated: bool | ArmExpression | None = None
    run_as_system: bool | ArmExpression | None = None
    valid_exit_codes: Seq[int | ArmExpression] | ArmExpression | None = None


class FileValidator(TypedWireModel):
    """Download a file to the build VM for the validators that follow (2022-07-01 and later).

    Example:
        >>> FileValidator(source_uri="https://example.com/t.sh", destination="/tmp/t.sh").type
        'File'
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.FILE_VALIDATOR.tags
    type: str = D.FILE_VALIDATOR.tag
    name: str | None = None
    source_uri: str | None = None
    sha256_checksum: str | None = None
    destination: str | None = None


class UnknownValidator(TypedWireModel):
    """A validator of a type this library does not model, read from the service; ``validate`` refuses it."""

    type: str
    name: str | None = None


VALIDATOR_TYPES = types_of(ShellValidator, PowerShellValidator, FileValidator)

#: Any in-VM validator; a dict of the wire shape is accepted too.
Validator = Annotated[
    Annotated[ShellValidator, Tag(D.SHELL_VALIDATOR.key)]
    | Annotated[PowerShellValidator, Tag(D.POWERSHELL_VALIDATOR.key)]
    | Annotated[FileValidator, Tag(D.FILE_VALIDATOR.key)]
    | Annotated[UnknownValidator, Tag("unknown")],
    Discriminator(tagger(VALIDATOR_TYPES)),
    LazyFamily(tagger(VALIDATOR_TYPES)),
]


class Validation(WireModel):
    """``properties.validate``: what to check on the image, and what a failed check means.

    Wire name ``validate``; the Python name is ``validation`` (``validate`` is taken by pydantic).

    Example:
        >>> Validation(in_vm_validations=[ShellValidator(inline=["true"])],
        ...     continue_distribute_on_failure=False).to_wire()
        {'continueDistributeOnFailure': False, 'inVMValidations': [{'type': 'Shell', 'inline': ['true']}]}
    """

    #: Distribute the image even when a validation fails.
    continue_distribute_on_failure: bool | ArmExpression | None = None
    #: Validate the source image only, and distribute it unchanged (customizers are skipped).
    source_validation_only: bool | ArmExpression | None = None
    in_vm_validations: Seq[Validator] | None = None
