"""The sans-I/O core shared by the sync and async clients: requests, responses, errors.

Nothing here sends anything. The clients ask for an :class:`~azure.core.rest.HttpRequest`, send it through
their own pipeline, and hand the response back here to be checked and turned into a model. Keeping the
wire knowledge in one module is what keeps ``ImageBuilderClient`` and ``aio.ImageBuilderClient`` alike.

Example:
    >>> ops = RequestBuilder("https://management.azure.com", "0000", "2019-05-01-preview")
    >>> ops.get_template("rg", "tmpl").url.split("?")[0].endswith("/imageTemplates/tmpl")
    True
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import quote

from ._constants import (
    CURRENT_STABLE_API_VERSION,
    RESOURCE_PROVIDER,
    RETIRED_API_VERSIONS,
    VHD_COPIED_TAG_PREFIX,
)
from ._errors import ApiVersionTooOldError, TemplateValidationError

if TYPE_CHECKING:
    from azure.core.exceptions import HttpResponseError
    from azure.core.rest import HttpRequest

    from ._errors import ApiVersionNotSupportedError
    from .models import ImageTemplate, LastRunStatus, RunOutput, Trigger

_LOG = logging.getLogger("azimagebuilder.client")

P = ParamSpec("P")
R = TypeVar("R")

#: The spec's pattern for template and run-output names.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9\-_.]{1,64}$")

# Read-only or service-filled fields that must not count as a difference between two templates.
_SERVICE_FILLED = frozenset(
    {
        "provisioningState",
        "provisioningError",
        "lastRunStatus",
        "sha256Checksum",
        "exactVersion",
        "exactStagingResourceGroup",
        "principalId",
        "clientId",
    }
)


def _error_type(status_code: int) -> type[HttpResponseError]:
    """azure-core's error class for a status (404: ResourceNotFoundError, ...), else HttpResponseError."""
    from azure.core import exceptions

    mapped: dict[int, type[HttpResponseError]] = {
        401: exceptions.ClientAuthenticationError,
        404: exceptions.ResourceNotFoundError,
        409: exceptions.ResourceExistsError,
        304: exceptions.ResourceNotModifiedError,
    }
    return mapped.get(status_code, exceptions.HttpResponseError)


# ARM's answers when it does not serve an api-version for a resource type.
_API_VERSION_CODES = frozenset({"InvalidApiVersionParameter", "UnsupportedApiVersion", "NoApiVersionFound"})
_API_VERSION_CODES_IF_MENTIONED = frozenset({"NoRegisteredProviderFound", "InvalidResourceType"})
_API_VERSION_RE = re.compile(r"\b(\d{4}-\d{2}-\d{2}(?:-preview)?)\b")


def arm_error_body(json_object: Any) -> Any:
    """An ARM error body in the wrapped ``{"error": {...}}`` shape (the 2019 previews sent it flat).

    Example:
        >>> arm_error_body({"code": "Conflict", "message": "busy"})
        {'error': {'code': 'Conflict', 'message': 'busy'}}
    """
    if isinstance(json_object, Mapping) and "error" not in json_object and "code" in json_object:
        return {"error": dict(json_object)}
    return json_object


# azure-core and azure-mgmt-core load when the first request is built or the first error read, not when
# this module (and so the client class) is imported: see docs/performance.md ("## Import time").
@functools.cache
def arm_error_format() -> type[Any]:
    """ARM's error format (azure-mgmt-core's ``ARMErrorFormat``), accepting both the wrapped
    ``{"error": {...}}`` and the flat 2019 shape. The class is made on first use and then kept.

    Example:
        >>> arm_error_format()({"code": "Conflict", "message": "busy"}).code
        'Conflict'
    """
    from azure.mgmt.core.exceptions import ARMErrorFormat

    class _ArmErrorFormat(ARMErrorFormat):
        """ARM's error format, accepting both the wrapped and the flat 2019 shape."""

        def __init__(self, json_object: Mapping[str, Any]) -> None:
            super().__init__(arm_error_body(json_object))

    return _ArmErrorFormat


def traced(func: Callable[P, R]) -> Callable[P, R]:
    """azure-core's ``distributed_trace`` around a client method, applied on the method's first call.

    The decorated method keeps its name, signature and docstring; azure-core loads when it is first
    called (a span per call, as with ``distributed_trace`` itself) instead of when the client is imported.

    Example:
        >>> @traced
        ... def hello(name: str) -> str:
        ...     return f"hello {name}"
        >>> hello("you")
        'hello you'
    """
    inner: list[Callable[P, R]] = []

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not inner:
            from azure.core.tracing.decorator import distributed_trace

            inner.append(distributed_trace(func))
        return inner[0](*args, **kwargs)

    return wrapper


def traced_async(func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """:func:`traced` for a coroutine method (azure-core's ``distributed_trace_async``).

    Example:
        >>> import asyncio
        >>> @traced_async
        ... async def hello(name: str) -> str:
        ...     return f"hello {name}"
        >>> asyncio.run(hello("you"))
        'hello you'
    """
    inner: list[Callable[P, Awaitable[R]]] = []

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not inner:
            from azure.core.tracing.decorator_async import distributed_trace_async

            inner.append(distributed_trace_async(func))
        return await inner[0](*args, **kwargs)

    return wrapper


def check_name(kind: str, value: str) -> str:
    """Return ``value`` when it is a valid template or run-output name, else raise ``ValueError``."""
    if not isinstance(value, str) or not NAME_PATTERN.match(value):
        raise ValueError(
            f"{kind} {value!r} is not a valid name: use 1 to 64 letters, digits, '-', '_' or '.'"
        )
    return value


_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_RESOURCE_GROUP = re.compile(r"^[-\w._()]{1,90}$")


def check_subscription_id(value: str) -> str:
    """Return ``value`` when it is a GUID (ARM refuses any other subscription id), else ``ValueError``."""
    if not isinstance(value, str) or not _GUID.match(value):
        raise ValueError(
            f"subscription_id {value!r} is not a subscription id: Azure expects a GUID such as "
            "'00000000-0000-0000-0000-000000000000' (az account show --query id)"
        )
    return value


def check_resource_group_name(value: str) -> str:
    """Return ``value`` when ARM accepts it as a resource group name, else ``ValueError``."""
    if not isinstance(value, str) or not _RESOURCE_GROUP.match(value) or value.endswith("."):
        raise ValueError(
            f"resource_group_name {value!r} is not a valid resource group name: use 1 to 90 letters, "
            "digits, '_', '(', ')', '-' or '.', not ending in '.'"
        )
    return value


def _segment(value: str, kind: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{kind} must be a non-empty string, got {value!r}")
    return quote(value, safe="")


@dataclass(frozen=True)
class RequestBuilder:
    """Builds every request the client sends. Immutable; one per client.

    Example:
        >>> ops = RequestBuilder("https://management.azure.com", "sub", "2024-02-01")
        >>> ops.run("rg", "tmpl").method
        'POST'
    """

    base_url: str
    subscription_id: str
    api_version: str

    def _url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def _params(self) -> dict[str, str]:
        return {"api-version": self.api_version}

    def template_path(self, resource_group_name: str, image_template_name: str) -> str:
        """The template's path, ``/subscriptions/.../imageTemplates/{name}``."""
        check_name("image_template_name", image_template_name)
        return (
            f"/subscriptions/{_segment(self.subscription_id, 'subscription_id')}"
            f"/resourceGroups/{_segment(check_resource_group_name(resource_group_name), 'resource group')}"
            f"/providers/{RESOURCE_PROVIDER}/imageTemplates/{_segment(image_template_name, 'name')}"
        )

    def _request(self, method: str, path: str, body: Any = None) -> HttpRequest:
        from azure.core.rest import HttpRequest

        headers = {"Accept": "application/json"}
        if body is not None:
            return HttpRequest(method, self._url(path), params=self._params(), json=body, headers=headers)
        return HttpRequest(method, self._url(path), params=self._params(), headers=headers)

    def get_template(self, resource_group_name: str, image_template_name: str) -> HttpRequest:
        """GET a template."""
        return self._request("GET", self.template_path(resource_group_name, image_template_name))

    def put_template(
        self, resource_group_name: str, image_template_name: str, body: Mapping[str, Any]
    ) -> HttpRequest:
        """PUT (create) a template with a resource body."""
        return self._request("PUT", self.template_path(resource_group_name, image_template_name), body)

    def patch_template(
        self, resource_group_name: str, image_template_name: str, body: Mapping[str, Any]
    ) -> HttpRequest:
        """PATCH a template's tags."""
        return self._request("PATCH", self.template_path(resource_group_name, image_template_name), body)

    def delete_template(self, resource_group_name: str, image_template_name: str) -> HttpRequest:
        """DELETE a template."""
        return self._request("DELETE", self.template_path(resource_group_name, image_template_name))

    def run(self, resource_group_name: str, image_template_name: str) -> HttpRequest:
        """POST .../run: start a build."""
        return self._request("POST", self.template_path(resource_group_name, image_template_name) + "/run")

    def cancel(self, resource_group_name: str, image_template_name: str) -> HttpRequest:
        """POST .../cancel: cancel the running build (from api-version 2020-02-14)."""
        path = self.template_path(resource_group_name, image_template_name) + "/cancel"
        return self._request("POST", path)

    def trigger_path(self, resource_group_name: str, image_template_name: str, trigger_name: str) -> str:
        """A trigger's path, ``.../imageTemplates/{name}/triggers/{trigger}``."""
        check_name("trigger_name", trigger_name)
        return (
            self.template_path(resource_group_name, image_template_name)
            + f"/triggers/{_segment(trigger_name, 'trigger_name')}"
        )

    def put_trigger(
        self, resource_group_name: str, image_template_name: str, trigger_name: str, body: Mapping[str, Any]
    ) -> HttpRequest:
        """PUT a trigger (from api-version 2022-07-01)."""
        return self._request(
            "PUT", self.trigger_path(resource_group_name, image_template_name, trigger_name), body
        )

    def get_trigger(
        self, resource_group_name: str, image_template_name: str, trigger_name: str
    ) -> HttpRequest:
        """GET a trigger."""
        return self._request("GET", self.trigger_path(resource_group_name, image_template_name, trigger_name))

    def delete_trigger(
        self, resource_group_name: str, image_template_name: str, trigger_name: str
    ) -> HttpRequest:
        """DELETE a trigger."""
        return self._request(
            "DELETE", self.trigger_path(resource_group_name, image_template_name, trigger_name)
        )

    def list_triggers(self, resource_group_name: str, image_template_name: str) -> HttpRequest:
        """GET .../triggers: the triggers of a template."""
        return self._request(
            "GET", self.template_path(resource_group_name, image_template_name) + "/triggers"
        )

    def list_templates(self, resource_group_name: str | None = None) -> HttpRequest:
        """GET the templates of the subscription, or of one resource group."""
        path = f"/subscriptions/{_segment(self.subscription_id, 'subscription_id')}"
        if resource_group_name is not None:
            check_resource_group_name(resource_group_name)
            path += f"/resourceGroups/{_segment(resource_group_name, 'resource_group_name')}"
        return self._request("GET", path + f"/providers/{RESOURCE_PROVIDER}/imageTemplates")

    def list_run_outputs(self, resource_group_name: str, image_template_name: str) -> HttpRequest:
        """GET .../runOutputs."""
        path = self.template_path(resource_group_name, image_template_name) + "/runOutputs"
        return self._request("GET", path)

    def get_run_output(
        self, resource_group_name: str, image_template_name: str, run_output_name: str
    ) -> HttpRequest:
        """GET .../runOutputs/{runOutputName}."""
        check_name("run_output_name", run_output_name)
        path = self.template_path(resource_group_name, image_template_name) + "/runOutputs/"
        return self._request("GET", path + _segment(run_output_name, "run_output_name"))

    def next_page(self, next_link: str) -> HttpRequest:
        """GET a ``nextLink`` as given (it carries its own api-version)."""
        from azure.core.rest import HttpRequest

        return HttpRequest("GET", next_link, headers={"Accept": "application/json"})


# ---------------------------------------------------------------------------------------------------
# What each api-version allows


#: The first api-version of each operation the client offers (older ones are refused locally).
OPERATION_FLOORS: dict[str, str] = {
    "begin_cancel": "2020-02-14",
    "begin_create_or_update_trigger": "2022-07-01",
    "get_trigger": "2022-07-01",
    "list_triggers": "2022-07-01",
    "begin_delete_trigger": "2022-07-01",
}

#: What a PATCH (``begin_update``) can change, per the service's ImageTemplateUpdateParameters:
#: keyword -> (wire path, first api-version).
PATCHABLE_FIELDS: dict[str, tuple[str, str]] = {
    "tags": ("tags", "2019-05-01-preview"),
    "identity": ("identity", "2019-05-01-preview"),
    "distribute": ("properties.distribute", "2023-07-01"),
    "vm_profile": ("properties.vmProfile", "2024-02-01"),
}


def _date(api_version: str) -> str:
    return api_version[:10]


def check_operation(operation: str, api_version: str) -> None:
    """Refuse locally an operation the client's api-version does not have (:class:`ApiVersionTooOldError`)."""
    floor = OPERATION_FLOORS.get(operation)
    if floor is not None and _date(api_version) < _date(floor):
        raise ApiVersionTooOldError(operation, api_version, floor)


def update_body(api_version: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The PATCH body for ``begin_update``'s keyword arguments (``None``: not changed).

    Raises:
        ApiVersionTooOldError: a field the api-version cannot PATCH (it names the first version that can).
        ValueError: nothing to change, or a value that is not what the field takes (with its path).

    Example:
        >>> update_body("2024-02-01", {"tags": {"a": "b"}, "vm_profile": {"vmSize": "Standard_D2s_v3"}})
        {'tags': {'a': 'b'}, 'properties': {'vmProfile': {'vmSize': 'Standard_D2s_v3'}}}
    """
    from pydantic import TypeAdapter, ValidationError

    from .models import Distributor, UserAssignedIdentity, VmProfile

    given = {k: v for k, v in changes.items() if v is not None}
    if not given:
        names = ", ".join(PATCHABLE_FIELDS)
        raise ValueError(f"begin_update needs at least one change: pass one of {names}")
    body: dict[str, Any] = {}
    for keyword, value in given.items():
        path, floor = PATCHABLE_FIELDS[keyword]
        if _date(api_version) < _date(floor):
            raise ApiVersionTooOldError(f"begin_update({keyword}=...)", api_version, floor, field=path)
        try:
            if keyword == "tags":
                if not isinstance(value, Mapping) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items()
                ):
                    raise ValueError("tags must map strings to strings")
                body["tags"] = dict(value)
            elif keyword == "identity":
                identity = value if isinstance(value, UserAssignedIdentity) else None
                if identity is None:
                    identity = UserAssignedIdentity.model_validate(value)
                body["identity"] = identity.to_wire()
            elif keyword == "distribute":
                if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
                    raise ValueError("distribute must be a non-empty list of distributors")
                adapter: TypeAdapter[Any] = TypeAdapter(Distributor)
                items = [adapter.validate_python(d.to_wire() if hasattr(d, "to_wire") else d) for d in value]
                body.setdefault("properties", {})["distribute"] = [d.to_wire() for d in items]
            else:  # vm_profile
                profile = value if isinstance(value, VmProfile) else VmProfile.model_validate(value)
                body.setdefault("properties", {})["vmProfile"] = profile.to_wire()
        except (ValidationError, ValueError, TypeError, AttributeError) as exc:
            detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise ValueError(f"begin_update: {keyword} ({path}) is not valid: {detail}") from None
    return body


# ---------------------------------------------------------------------------------------------------
# Responses


def response_json(response: Any) -> Any:
    """The JSON body of a response, or ``None`` when it is empty or not JSON."""
    try:
        text = response.text()
    except Exception:  # a streamed or unread body: nothing to parse
        return None
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _scrub_request(response: Any) -> None:
    # The error keeps the response, and the response its request: drop the bearer token from it.
    request = getattr(response, "request", None)
    headers = getattr(request, "headers", None)
    if headers is not None:
        for name in ("Authorization", "authorization"):
            if name in headers:
                del headers[name]


def _error_code_and_message(body: Any) -> tuple[str | None, str | None]:
    if not isinstance(body, Mapping):
        return None, None
    inner = body.get("error", body)
    if not isinstance(inner, Mapping):
        return None, None
    code, message = inner.get("code"), inner.get("message")
    return (str(code) if code is not None else None, str(message) if message is not None else None)


def _suggest(api_version: str, supported: Sequence[str]) -> str:
    stable = sorted(v for v in supported if not v.endswith("-preview") and v != api_version)
    if stable:
        return stable[-1] if CURRENT_STABLE_API_VERSION not in stable else CURRENT_STABLE_API_VERSION
    return CURRENT_STABLE_API_VERSION


def api_version_error(response: Any, api_version: str) -> ApiVersionNotSupportedError | None:
    """An :class:`ApiVersionNotSupportedError` when ``response`` says the api-version is not served."""
    if response.status_code not in (400, 404):
        return None
    code, message = _error_code_and_message(response_json(response))
    if code is None:
        return None
    text = message or ""
    mentions = "api version" in text.lower() or "api-version" in text.lower() or api_version in text
    if code not in _API_VERSION_CODES and not (code in _API_VERSION_CODES_IF_MENTIONED and mentions):
        return None
    supported = [v for v in _API_VERSION_RE.findall(text) if v != api_version]
    suggested = _suggest(api_version, supported)
    retired = (
        f" Azure retired {api_version} (previews were announced for removal on or after 2021-06-30)."
        if api_version in RETIRED_API_VERSIONS
        else ""
    )
    listed = f" The service lists: {', '.join(dict.fromkeys(supported))}." if supported else ""
    msg = (
        f"The service does not support api-version {api_version} ({code}: {text}).{retired}{listed} "
        f"Create the client with a current api_version, for example "
        f"ImageBuilderClient(credential, subscription_id, api_version={suggested!r})."
    )
    _scrub_request(response)
    from ._errors import ApiVersionNotSupportedError  # an HttpResponseError: loads azure-core

    return ApiVersionNotSupportedError(
        msg,
        response,
        api_version=api_version,
        supported_api_versions=supported,
        suggested_api_version=suggested,
        error_format=arm_error_format(),
    )


def http_error(response: Any, api_version: str) -> HttpResponseError:
    """The azure-core error for a failed response (404: ResourceNotFoundError, 409: ResourceExistsError)."""
    special = api_version_error(response, api_version)
    if special is not None:
        return special
    _scrub_request(response)
    return _error_type(response.status_code)(response=response, error_format=arm_error_format())


def raise_for_status(pipeline_response: Any, expected: Sequence[int], api_version: str) -> None:
    """Raise the mapped error unless the response's status is one of ``expected``."""
    response = pipeline_response.http_response
    if response.status_code not in expected:
        error = http_error(response, api_version)
        _LOG.debug("HTTP %s from %s %s", response.status_code, response.request.method, _path(response))
        raise error


def _path(response: Any) -> str:
    url = str(getattr(response.request, "url", ""))
    return url.split("?", 1)[0]


def template_from_response(pipeline_response: Any) -> ImageTemplate:
    """Deserialization callback: the template in a response body."""
    from .models import ImageTemplate

    body = response_json(pipeline_response.http_response)
    if not isinstance(body, Mapping):
        from azure.core.exceptions import HttpResponseError

        raise HttpResponseError(
            message="The service answered without a template body.", response=pipeline_response.http_response
        )
    return ImageTemplate.from_arm(dict(body))


def trigger_body(trigger: Any) -> dict[str, Any]:
    """The PUT body of a trigger: a :class:`Trigger`, its wire dict, or ``None`` (a SourceImage trigger).

    Example:
        >>> trigger_body(None)
        {'properties': {'kind': 'SourceImage'}}
    """
    from pydantic import ValidationError

    from .models import Trigger

    if trigger is None:
        return Trigger().to_resource_body()
    if isinstance(trigger, Trigger):
        return trigger.to_resource_body()
    if not isinstance(trigger, Mapping):
        raise TypeError(f"trigger must be a Trigger, a dict or None, not {type(trigger).__name__}")
    try:
        model = (
            Trigger.from_arm(dict(trigger)) if "properties" in trigger else Trigger.model_validate(trigger)
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "trigger"
        raise ValueError(f"trigger: {where}: {first['msg']}") from None
    return model.to_resource_body()


def trigger_from_response(pipeline_response: Any) -> Trigger:
    """Deserialization callback: the trigger in a response body."""
    from .models import Trigger

    body = response_json(pipeline_response.http_response)
    if not isinstance(body, Mapping):
        from azure.core.exceptions import HttpResponseError

        raise HttpResponseError(
            message="The service answered without a trigger body.", response=pipeline_response.http_response
        )
    return Trigger.from_arm(dict(body))


def run_output_from_json(body: Mapping[str, Any]) -> RunOutput:
    """A :class:`RunOutput` from its wire form."""
    from .models import RunOutput

    return RunOutput.from_arm(dict(body))


def page_of(pipeline_response: Any, item: str) -> tuple[str | None, list[Any]]:
    """``(nextLink, items)`` of a list response; ``item``: ``"template"``, ``"trigger"``, ``"run_output"``."""
    body = response_json(pipeline_response.http_response)
    if not isinstance(body, Mapping):
        return None, []
    values = body.get("value") or []
    if item == "template":
        from .models import ImageTemplate

        items: list[Any] = [ImageTemplate.from_arm(dict(v)) for v in values]
    elif item == "trigger":
        from .models import Trigger

        items = [Trigger.from_arm(dict(v)) for v in values]
    else:
        items = [run_output_from_json(v) for v in values]
    return body.get("nextLink") or None, items


# ---------------------------------------------------------------------------------------------------
# Run status


def last_run_status_from(template_body: Any, operation_body: Any) -> LastRunStatus | None:
    """The run status: the template's ``lastRunStatus`` if the service filled it in, else one made from
    the async-operation body (``status``, ``startTime``, ``endTime``) so a result is never lost."""
    from .models import LastRunStatus

    if isinstance(template_body, Mapping):
        lrs = (template_body.get("properties") or {}).get("lastRunStatus")
        if isinstance(lrs, Mapping) and lrs:
            return LastRunStatus.model_validate(dict(lrs))
    if isinstance(operation_body, Mapping) and operation_body.get("status"):
        _, message = _error_code_and_message(operation_body.get("error") or {})
        data: dict[str, Any] = {"runState": operation_body["status"], "message": message or ""}
        for key in ("startTime", "endTime"):
            if operation_body.get(key):
                data[key] = operation_body[key]
        return LastRunStatus.model_validate(data)
    return None


def run_was_canceled(operation_body: Any, status: LastRunStatus | None) -> bool:
    """Whether a run that did not succeed ended ``Canceled`` (the operation's or the template's word)."""
    if isinstance(operation_body, Mapping) and str(operation_body.get("status") or "").lower() == "canceled":
        return True
    return status is not None and str(status.run_state or "").lower() == "canceled"


def operation_error(operation_body: Any) -> tuple[str | None, str | None]:
    """``(code, message)`` of a failed async operation's body."""
    if isinstance(operation_body, Mapping):
        return _error_code_and_message(operation_body.get("error") or {})
    return None, None


def template_url_of_action(action_url: str) -> str:
    """The template URL (with its query) of a ``.../run`` or ``.../cancel`` URL (``?api-version=...``)."""
    path, _, query = action_url.partition("?")
    for action in ("/run", "/cancel"):
        if path.endswith(action):
            path = path[: -len(action)]
            break
    return path + ("?" + query if query else "")


#: The former name of :func:`template_url_of_action`.
template_url_of_run = template_url_of_action


# ---------------------------------------------------------------------------------------------------
# Templates in, templates compared


def template_body(source: Any, *, validate: bool, api_version: str) -> dict[str, Any]:
    """The PUT body for ``source`` (an ImageTemplate, a dict, JSON text or a path).

    With ``validate=True`` the template is read and checked once, at ``api_version`` (the client's: the
    service reads the body at the request's version; a template whose own ``apiVersion`` differs is
    logged as a warning saying so), and any error raises :class:`TemplateValidationError`. With
    ``validate=False`` a resource body is sent as given.
    """
    from .loading import check_template
    from .models import ImageTemplate

    if not validate:
        if isinstance(source, ImageTemplate):
            return source.to_resource_body()
        raw = _raw_document(source)
        if raw is not None and "properties" in raw and "resources" not in raw:
            return {k: raw[k] for k in ("location", "tags", "identity", "properties") if k in raw}

    template, report, label = check_template(source, api_version=api_version)
    if validate:
        for problem in report.warnings:
            _LOG.warning("template warning at %s: %s [%s]", problem.path, problem.message, problem.code)
    if template is None:
        raise TemplateValidationError(report.errors, report.warnings, source=label)
    return template.to_resource_body()


def _raw_document(source: Any) -> dict[str, Any] | None:
    if isinstance(source, Mapping):
        return dict(source)
    text: str | None = None
    if isinstance(source, Path):
        text = source.read_text(encoding="utf-8")
    elif isinstance(source, str):
        text = source if source.lstrip().startswith("{") else None
        if text is None and Path(source).is_file():
            text = Path(source).read_text(encoding="utf-8")
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _normal_location(value: Any) -> Any:
    return value.replace(" ", "").lower() if isinstance(value, str) else value


def _is_empty(value: Any) -> bool:
    return value is None or value == {} or value == []


def _is_blank(value: Any) -> bool:
    """None, "", 0, False, {} or [], or a mapping of only such values (a default spelled out)."""
    if isinstance(value, Mapping):
        return all(_is_blank(v) for v in value.values())
    return value is None or value == [] or (not isinstance(value, (list, tuple)) and not value)


def template_differences(wanted: Mapping[str, Any], existing: Mapping[str, Any]) -> list[str]:
    """JSON paths where an existing template (as the service shows it) differs from a wanted PUT body.

    Fields the service fills in (checksums, ``artifactTags: {}``, ``buildTimeoutInMinutes: 0``, a resolved
    ``latest (...)`` version, the copy-out tags) do not count.

    Example:
        >>> template_differences({"location": "westus2"}, {"location": "West US 2", "id": "/x"})
        []
    """
    wanted_body = {k: wanted.get(k) for k in ("location", "tags", "identity", "properties")}
    existing_body = {k: existing.get(k) for k in ("location", "tags", "identity", "properties")}
    wanted_body["location"] = _normal_location(wanted_body["location"])
    existing_body["location"] = _normal_location(existing_body["location"])
    for body in (wanted_body, existing_body):
        tags = body.get("tags") or {}
        body["tags"] = {k: v for k, v in tags.items() if not k.startswith(VHD_COPIED_TAG_PREFIX)}
    out: list[str] = []
    _diff(wanted_body, existing_body, "", out)
    return out


def tags_update(
    differences: list[str], wanted: Mapping[str, Any], existing: Mapping[str, Any]
) -> dict[str, str] | None:
    """The tags to PATCH when the templates differ in ``tags`` only (the service takes that), else None.

    The wanted tags win; the copy-out markers (``azimagebuilder.vhdCopied.*``) on the existing template stay.

    Example:
        >>> tags_update(["tags.team"], {"tags": {"team": "a"}}, {"tags": {"team": "b"}})
        {'team': 'a'}
        >>> tags_update(["tags.team", "properties.source.sku"], {}, {}) is None
        True
    """
    if not differences or not all(d == "tags" or d.startswith(("tags.", "tags[")) for d in differences):
        return None
    tags = {str(k): str(v) for k, v in (wanted.get("tags") or {}).items()}
    for key, value in (existing.get("tags") or {}).items():
        if str(key).startswith(VHD_COPIED_TAG_PREFIX):
            tags.setdefault(str(key), str(value))
    return tags


def _diff(wanted: Any, existing: Any, path: str, out: list[str]) -> None:
    if isinstance(wanted, Mapping) and isinstance(existing, Mapping):
        for key in sorted(set(wanted) | set(existing)):
            sub = f"{path}.{key}" if path else key
            w, e = wanted.get(key), existing.get(key)
            if key not in wanted and (key in _SERVICE_FILLED or _is_blank(e)):
                continue  # filled in by the service, or a default it spelled out
            if key == "buildTimeoutInMinutes" and not w and not e:
                continue
            if key == "type" and isinstance(w, str) and isinstance(e, str):
                if w.lower() != e.lower():
                    out.append(sub)
                continue
            if key == "version" and isinstance(w, str) and isinstance(e, str) and e.startswith(w + " ("):
                continue  # the service resolves "latest" to "latest (16.04.202004290)"
            if _is_empty(w) and _is_empty(e):
                continue
            _diff(w, e, sub, out)
        return
    if isinstance(wanted, list) and isinstance(existing, list):
        if len(wanted) != len(existing):
            out.append(path)
            return
        for i, (w, e) in enumerate(zip(wanted, existing, strict=True)):
            _diff(w, e, f"{path}[{i}]", out)
        return
    if wanted != existing:
        out.append(path)


def uncopied_vhd_outputs(template: ImageTemplate, outputs: Sequence[RunOutput]) -> list[str]:
    """Names of VHD run outputs (``artifact_uri`` set) with no ``azimagebuilder.vhdCopied.<name>`` tag."""
    tags = template.tags or {}
    return [
        o.name
        for o in outputs
        if o.artifact_uri and o.name and f"{VHD_COPIED_TAG_PREFIX}{o.name}" not in tags
    ]


class ClientBase:
    """What the sync and async clients share: checked settings, read-only properties, immutability.

    Example:
        >>> from azimagebuilder import ImageBuilderClient
        >>> issubclass(ImageBuilderClient, ClientBase)
        True
    """

    __slots__ = ("_api_version", "_base_url", "_client", "_frozen", "_ops", "_polling_interval", "_sub")
    _credential_example = "azure.identity.DefaultAzureCredential()"
    _repr_name = "ImageBuilderClient"

    _api_version: str
    _base_url: str
    _ops: RequestBuilder
    _polling_interval: float
    _sub: str

    def _settle(
        self,
        credential: object,
        subscription_id: str,
        base_url: str,
        api_version: str,
        polling_interval: float,
    ) -> str:
        """Check and keep the settings; returns the base URL without a trailing slash."""
        if credential is None:
            raise ValueError(f"credential is required, for example {self._credential_example}")
        if not subscription_id or not isinstance(subscription_id, str):
            raise ValueError("subscription_id must be a non-empty string")
        check_subscription_id(subscription_id)
        if polling_interval < 0:
            raise ValueError("polling_interval must be >= 0 seconds")
        base_url = base_url.rstrip("/")
        self._base_url = base_url
        self._sub = subscription_id
        self._api_version = api_version
        self._polling_interval = polling_interval
        self._ops = RequestBuilder(base_url, subscription_id, api_version)
        return base_url

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"{self._repr_name} is immutable; create a new client to change {name}")
        object.__setattr__(self, name, value)

    @property
    def subscription_id(self) -> str:
        """The subscription this client works in."""
        return self._sub

    @property
    def base_url(self) -> str:
        """The ARM endpoint."""
        return self._base_url

    @property
    def api_version(self) -> str:
        """The Image Builder api-version in every URL."""
        return self._api_version

    @property
    def polling_interval(self) -> float:
        """Default seconds between polls."""
        return self._polling_interval

    def __repr__(self) -> str:
        return f"{self._repr_name}(base_url={self._base_url!r}, api_version={self._api_version!r})"
