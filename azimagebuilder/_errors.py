"""The exceptions azimagebuilder raises.

::

    Exception
    ├── ImageBuilderError                      anything this library refuses on its own
    │   ├── TemplateValidationError (ValueError)  a template that cannot be used; .errors / .warnings
    │   ├── VhdNotCopiedError                  begin_delete would lose a VHD nobody copied out
    │   ├── TemplateExistsError                build() met a different template under that name
    │   ├── BuildTimeoutError (TimeoutError)   build(timeout=) ran out; .continuation_token resumes
    │   └── ApiVersionTooOldError (ValueError)  the client's api_version lacks an operation or PATCH field
    └── azure.core.exceptions.HttpResponseError   what the service (or the emulator) answered; .error.code
        ├── ResourceNotFoundError (404), ResourceExistsError (409), ClientAuthenticationError (401)
        ├── ApiVersionNotSupportedError        the service does not serve this api_version
        ├── BuildFailedError                   a run ended Failed; .code, .last_run_status, .log_hint
        └── BuildCanceledError                 a run ended Canceled (begin_cancel, the portal, ...)

The HTTP errors derive from azure-core's, so ``except HttpResponseError`` catches them all. They are
defined on first use (module ``__getattr__``) so that importing this module never imports azure-core.

Every problem carries a JSON path, a short stable code and a message that says what to do.
Nothing here ever holds a secret: messages quote template paths and service error codes, never tokens.

Example:
    >>> from azimagebuilder import TemplateValidationError, load_template
    >>> try:
    ...     load_template({"location": "westus2"})
    ... except TemplateValidationError as exc:
    ...     print(exc.errors[0].path)
    properties.source
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._problems import Problem


class ImageBuilderError(Exception):
    """Base class of the errors this library raises by itself (not HTTP answers)."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickle the attributes, not __init__'s arguments: each subclass takes its own, so the default
        # (replaying __init__ with the message) fails; this survives multiprocessing and concurrent.futures.
        return (_rebuild_error, (type(self), self.args, dict(self.__dict__)))


def _rebuild_error(cls: type[ImageBuilderError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class TemplateValidationError(ImageBuilderError, ValueError):
    """A template that cannot be used, with every problem found.

    Attributes:
        errors: the problems that make the template unusable (each with ``path``, ``code``, ``message``).
        warnings: problems worth a look that do not stop the template.
    """

    def __init__(
        self,
        errors: Sequence[Problem],
        warnings: Sequence[Problem] = (),
        *,
        source: str | None = None,
    ) -> None:
        self.errors: list[Problem] = list(errors)
        self.warnings: list[Problem] = list(warnings)
        self.source = source
        where = f" in {source}" if source else ""
        lines = [f"{len(self.errors)} problem(s){where}:"]
        lines += [f"  {p.path or '<template>'}: {p.message} [{p.code}]" for p in self.errors]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Exception pickling replays __init__ with self.args (the message); give it the problems instead,
        # so the error survives multiprocessing and concurrent.futures.
        return (_rebuild_template_validation_error, (type(self), self.errors, self.warnings, self.source))

    def to_dict(self) -> dict[str, list[dict[str, str]]]:
        """``{"errors": [...], "warnings": [...]}``, each problem as ``{"path", "code", "message"}``."""
        return {
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }


def _rebuild_template_validation_error(
    cls: type[TemplateValidationError],
    errors: Sequence[Problem],
    warnings: Sequence[Problem],
    source: str | None,
) -> TemplateValidationError:
    return cls(errors, warnings, source=source)


# --------------------------------------------------------------------------------------------------
# Errors raised by the client (ImageBuilderClient, sync and aio).


class VhdNotCopiedError(ImageBuilderError):
    """``begin_delete`` refused: deleting the template would delete VHD run outputs nobody copied out.

    Image Builder leaves a VHD in the template's staging resource group, which goes with the template.
    Copy each VHD out first (the resources helpers tag the template ``azimagebuilder.vhdCopied.<name>``
    when they do), or pass ``force=True``.

    Attributes:
        template_name: the template that was to be deleted.
        run_output_names: the VHD run outputs without a copy.

    Example:
        >>> err = VhdNotCopiedError("tmpl", ["vhd"])
        >>> err.run_output_names
        ['vhd']
    """

    def __init__(self, template_name: str, run_output_names: Sequence[str]) -> None:
        self.template_name = template_name
        self.run_output_names: list[str] = list(run_output_names)
        names = ", ".join(self.run_output_names)
        super().__init__(
            f"template {template_name!r} still holds VHD run output(s) {names} that were not copied out; "
            "deleting it deletes the VHD. Copy the VHD out first (which tags the template "
            f"'{_vhd_copied_tag_prefix()}<runOutputName>'), or pass force=True to delete anyway."
        )


class TemplateExistsError(ImageBuilderError):
    """``build()`` found a different template under the same name (the service cannot update one).

    Attributes:
        template_name: the name in use.
        differences: JSON paths where the existing template differs from the one given.

    Example:
        >>> TemplateExistsError("tmpl", ["properties.customize[0].inline"]).differences
        ['properties.customize[0].inline']
    """

    def __init__(self, template_name: str, differences: Sequence[str]) -> None:
        self.template_name = template_name
        self.differences: list[str] = list(differences)
        where = ", ".join(self.differences[:5]) + (" ..." if len(self.differences) > 5 else "")
        super().__init__(
            f"a different template named {template_name!r} already exists (differs at: {where}); "
            "Image Builder cannot update a template in place. Pass replace=True to delete it and "
            "create it again, or choose another name."
        )


class BuildTimeoutError(ImageBuilderError, TimeoutError):
    """``build(timeout=...)`` stopped waiting; the build itself goes on in the service.

    Attributes:
        template_name: the template being built.
        continuation_token: pass it to ``begin_run(..., continuation_token=...)`` to resume waiting.

    Example:
        >>> BuildTimeoutError("tmpl", 60.0, "token").continuation_token
        'token'
    """

    def __init__(self, template_name: str, timeout: float, continuation_token: str) -> None:
        self.template_name = template_name
        self.timeout = timeout
        self.continuation_token = continuation_token
        super().__init__(
            f"the build of {template_name!r} did not finish within {timeout:g} s; it goes on in the "
            "service. Resume waiting with begin_run(..., continuation_token=err.continuation_token)."
        )


class ApiVersionTooOldError(ImageBuilderError, ValueError):
    """Refused locally: the client's ``api_version`` does not have this operation (or PATCH field).

    Attributes:
        operation: what was asked, for example ``begin_cancel`` or ``begin_update(vm_profile=...)``.
        api_version: the client's api-version.
        required_api_version: the first api-version that has it.
        field: the wire path of a PATCH field (``properties.vmProfile``), or ``None``.

    Example:
        >>> err = ApiVersionTooOldError("begin_cancel", "2019-05-01-preview", "2020-02-14")
        >>> err.required_api_version
        '2020-02-14'
    """

    def __init__(
        self, operation: str, api_version: str, required_api_version: str, *, field: str | None = None
    ) -> None:
        self.operation = operation
        self.api_version = api_version
        self.required_api_version = required_api_version
        self.field = field
        what = f"{operation} (changes {field})" if field else operation
        super().__init__(
            f"{what} needs Image Builder api-version {required_api_version} or later; this client uses "
            f"{api_version}. Create the client with api_version={required_api_version!r} or newer "
            "(for example azimagebuilder.CURRENT_STABLE_API_VERSION)."
        )


def _vhd_copied_tag_prefix() -> str:
    from ._constants import VHD_COPIED_TAG_PREFIX

    return VHD_COPIED_TAG_PREFIX


# The HTTP errors subclass azure-core's HttpResponseError. Type checkers read the declarations
# below; at run time the classes are created on first access, so this module stays import-light.
_HTTP_ERROR_NAMES = ("ApiVersionNotSupportedError", "BuildCanceledError", "BuildFailedError")

if TYPE_CHECKING:
    from azure.core.exceptions import HttpResponseError

    from .models import LastRunStatus

    class ApiVersionNotSupportedError(HttpResponseError):
        """The service does not serve the client's ``api_version`` (retired or unknown).

        Attributes:
            api_version: the version the client sent.
            supported_api_versions: the versions the service listed, when it listed any.
            suggested_api_version: a current version to pass as ``api_version=``.
        """

        api_version: str
        supported_api_versions: list[str]
        suggested_api_version: str

        def __init__(
            self,
            message: str | None = None,
            response: Any = None,
            *,
            api_version: str,
            supported_api_versions: Sequence[str] = (),
            suggested_api_version: str,
            **kwargs: Any,
        ) -> None: ...

    class BuildFailedError(HttpResponseError):
        """A run ended ``Failed``; carries the service's error code and the template's last run status.

        Attributes:
            code: the service's error code, for example ``PackerBuildFailed``.
            service_message: the service's message (it names the log to read).
            last_run_status: the template's ``lastRunStatus`` after the run, when it could be read.
            log_hint: where the run's customization.log is and how to fetch it (also the message's last
                line), or ``None``; never holds a SAS.
        """

        code: str | None
        service_message: str | None
        last_run_status: LastRunStatus | None
        log_hint: str | None

        def __init__(
            self,
            message: str | None = None,
            response: Any = None,
            *,
            code: str | None = None,
            service_message: str | None = None,
            last_run_status: LastRunStatus | None = None,
            log_hint: str | None = None,
            **kwargs: Any,
        ) -> None: ...

    class BuildCanceledError(HttpResponseError):
        """A run ended ``Canceled`` (someone cancelled it: ``begin_cancel``, the CLI, the portal).

        Not a :class:`BuildFailedError`: nothing went wrong in the build. The run's outputs are absent.

        Attributes:
            last_run_status: the template's ``lastRunStatus`` after the run (``run_state`` Canceled),
                when it could be read.
        """

        last_run_status: LastRunStatus | None

        def __init__(
            self,
            message: str | None = None,
            response: Any = None,
            *,
            last_run_status: LastRunStatus | None = None,
            **kwargs: Any,
        ) -> None: ...

else:

    def _keep_message(error, message):
        # HttpResponseError replaces the message with the parsed ARM error; ours says more.
        if message:
            error.message = message
            error.args = (message,)

    def _define_http_errors() -> None:
        global ApiVersionNotSupportedError, BuildCanceledError, BuildFailedError
        from azure.core.exceptions import HttpResponseError

        class ApiVersionNotSupportedError(HttpResponseError):
            """The service does not serve the client's ``api_version`` (retired or unknown).

            Attributes:
                api_version: the version the client sent.
                supported_api_versions: the versions the service listed, when it listed any.
                suggested_api_version: a current version to pass as ``api_version=``.
            """

            def __init__(
                self,
                message=None,
                response=None,
                *,
                api_version,
                supported_api_versions=(),
                suggested_api_version,
                **kwargs,
            ):
                self.api_version = api_version
                self.supported_api_versions = list(supported_api_versions)
                self.suggested_api_version = suggested_api_version
                super().__init__(message, response, **kwargs)
                _keep_message(self, message)

            def __str__(self):
                return str(self.message)

        class BuildFailedError(HttpResponseError):
            """A run ended ``Failed``; carries the service's error code and the template's last run status.

            Attributes:
                code: the service's error code, for example ``PackerBuildFailed``.
                service_message: the service's message (it names the log to read).
                last_run_status: the template's ``lastRunStatus`` after the run, when it could be read.
                log_hint: where the run's customization.log is and how to fetch it (also the message's
                    last line), or ``None``; never holds a SAS.
            """

            def __init__(
                self,
                message=None,
                response=None,
                *,
                code=None,
                service_message=None,
                last_run_status=None,
                log_hint=None,
                **kwargs,
            ):
                self.code = code
                self.service_message = service_message
                self.last_run_status = last_run_status
                self.log_hint = log_hint
                super().__init__(message, response, **kwargs)
                _keep_message(self, message)

            def __str__(self):
                return str(self.message)

        class BuildCanceledError(HttpResponseError):
            """A run ended ``Canceled`` (someone cancelled it: ``begin_cancel``, the CLI, the portal).

            Not a :class:`BuildFailedError`: nothing went wrong in the build. The run's outputs are absent.

            Attributes:
                last_run_status: the template's ``lastRunStatus`` after the run (``run_state`` Canceled),
                    when it could be read.
            """

            def __init__(self, message=None, response=None, *, last_run_status=None, **kwargs):
                self.last_run_status = last_run_status
                super().__init__(message, response, **kwargs)
                _keep_message(self, message)

            def __str__(self):
                return str(self.message)

        for cls in (ApiVersionNotSupportedError, BuildCanceledError, BuildFailedError):
            cls.__module__ = _PUBLIC_MODULE
            cls.__qualname__ = cls.__name__

    def __getattr__(name: str) -> Any:
        if name in _HTTP_ERROR_NAMES:
            _define_http_errors()
            return globals()[name]
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Tracebacks, reprs and docs name the errors where users import them (``azimagebuilder.BuildFailedError``),
# not this private module; pickle finds them there too (the package's lazy loader resolves the name).
_PUBLIC_MODULE = "azimagebuilder"
for _cls in (
    ImageBuilderError,
    TemplateValidationError,
    VhdNotCopiedError,
    TemplateExistsError,
    BuildTimeoutError,
    ApiVersionTooOldError,
):
    _cls.__module__ = _PUBLIC_MODULE
del _cls
