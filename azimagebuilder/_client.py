"""ImageBuilderClient: Image Builder templates as ARM resources, their runs and their run outputs.

Built on azure-core / azure-mgmt-core: an ARM pipeline with a bearer-token policy, retries on 429, 5xx and
dropped connections (honouring ``Retry-After``), ARM polling for the long-running operations, and
azure-core's exceptions. Requests and responses are made and read in :mod:`azimagebuilder._operations`,
shared with the async client in :mod:`azimagebuilder.aio`.

Example:
    >>> from azure.identity import DefaultAzureCredential  # doctest: +SKIP
    >>> from azimagebuilder import ImageBuilderClient  # doctest: +SKIP
    >>> with ImageBuilderClient(DefaultAzureCredential(), "<subscription id>") as client:  # doctest: +SKIP
    ...     result = client.build("my-rg", "hello", "template.json", progress=True)
    ...     print(result.artifact_ids)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from . import _build
from . import _operations as ops
from ._constants import ARM_ENDPOINT, DEFAULT_API_VERSION
from ._errors import BuildTimeoutError, VhdNotCopiedError
from ._operations import traced
from ._version import __version__

# azure-core, azure-mgmt-core, the pollers and the retry policy load when a client is created or a method
# called, not when this module is imported (docs/performance.md, "## Import time"); hence the imports
# inside the methods below.
if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.core.paging import ItemPaged
    from azure.core.pipeline.transport import HttpTransport
    from azure.core.polling import LROPoller
    from azure.mgmt.core import ARMPipelineClient

    from ._polling import StatusCallback
    from .models import (
        Distributor,
        ImageTemplate,
        LastRunStatus,
        RunOutput,
        Trigger,
        UserAssignedIdentity,
        VmProfile,
    )
    from .progress import BuildProgress

__all__ = ["BuildResult", "ImageBuilderClient"]

_LOG = logging.getLogger("azimagebuilder.client")

#: What ``build(progress=...)`` accepts: a callback, ``True`` for the built-in display, or None/False.
ProgressArg = Union[Callable[["BuildProgress"], None], bool, None]  # noqa: UP007 (a runtime alias)


@dataclass(frozen=True)
class BuildResult:
    """What :meth:`ImageBuilderClient.build` returns: the template, the run's final status, its outputs.

    Attributes:
        template: the template as the service shows it after the run.
        run_status: the final ``lastRunStatus`` (``run_state`` is Succeeded or PartiallySucceeded).
        outputs: the run outputs, one per distributor.

    Example:
        >>> result = client.build("rg", "hello", template)  # doctest: +SKIP
        >>> result.artifact_ids["img"]  # doctest: +SKIP
        '/subscriptions/.../providers/Microsoft.Compute/images/hello-img'
    """

    template: ImageTemplate
    run_status: LastRunStatus | None
    outputs: tuple[RunOutput, ...] = field(default=())

    @property
    def succeeded(self) -> bool:
        """True when every distribution succeeded (``run_state`` Succeeded)."""
        state = getattr(self.run_status, "run_state", None)
        return str(state or "").lower() == "succeeded"

    @property
    def partially_succeeded(self) -> bool:
        """True when the run ended PartiallySucceeded (some distributions failed; see the outputs)."""
        state = getattr(self.run_status, "run_state", None)
        return str(state or "").lower() == "partiallysucceeded"

    @property
    def artifact_ids(self) -> dict[str, str]:
        """Run output name -> ``artifact_id`` (managed image or gallery image version id)."""
        return {o.name: o.artifact_id for o in self.outputs if o.name and o.artifact_id}

    @property
    def vhd_uris(self) -> dict[str, str]:
        """Run output name -> ``artifact_uri`` of each VHD output."""
        return {o.name: o.artifact_uri for o in self.outputs if o.name and o.artifact_uri}

    def output(self, run_output_name: str) -> RunOutput:
        """The run output named ``run_output_name`` (a distributor's ``runOutputName``)."""
        for o in self.outputs:
            if o.name == run_output_name:
                return o
        names = ", ".join(o.name or "?" for o in self.outputs) or "none"
        raise KeyError(f"no run output named {run_output_name!r} (outputs: {names})")

    def __iter__(self) -> Iterator[RunOutput]:
        return iter(self.outputs)

    def __repr__(self) -> str:
        state = getattr(self.run_status, "run_state", None)
        names = [o.name for o in self.outputs]
        return f"BuildResult(template={self.template.name!r}, run_state={state!s}, outputs={names!r})"


def _policies(credential: Any, base_url: str, kwargs: dict[str, Any]) -> list[Any]:
    from azure.core.pipeline import policies
    from azure.mgmt.core.policies import (
        ARMAutoResourceProviderRegistrationPolicy,
        ARMChallengeAuthenticationPolicy,
        ARMHttpLoggingPolicy,
    )

    from ._resilience import RetryPolicy, StripAuthorizationPolicy

    # No NetworkTraceLoggingPolicy: it would log the Authorization header and request bodies (which may
    # hold SAS URLs). ARMHttpLoggingPolicy logs method, redacted URL and allow-listed headers only.
    kwargs.pop("logging_enable", None)
    scopes = kwargs.pop("credential_scopes", None) or [base_url.rstrip("/") + "/.default"]
    kwargs.setdefault("sdk_moniker", f"azimagebuilder/{__version__}")
    return [
        policies.RequestIdPolicy(**kwargs),
        policies.HeadersPolicy(**kwargs),
        policies.UserAgentPolicy(**kwargs),
        policies.ProxyPolicy(**kwargs),
        policies.ContentDecodePolicy(**kwargs),
        ARMAutoResourceProviderRegistrationPolicy(),
        policies.RedirectPolicy(**kwargs),
        RetryPolicy(**kwargs),
        ARMChallengeAuthenticationPolicy(credential, *scopes, **kwargs),
        policies.CustomHookPolicy(**kwargs),
        policies.DistributedTracingPolicy(**kwargs),
        policies.SensitiveHeaderCleanupPolicy(**kwargs),
        ARMHttpLoggingPolicy(**kwargs),
        StripAuthorizationPolicy(),  # innermost: no token left on what comes back
    ]


class ImageBuilderClient(ops.ClientBase):
    """A client for Azure VM Image Builder templates (``Microsoft.VirtualMachineImages/imageTemplates``).

    Args:
        credential: any azure-identity credential (``DefaultAzureCredential()``, the emulator's, ...).
        subscription_id: the subscription holding the templates.

    Keyword Args:
        base_url: the ARM endpoint; the token scope is ``base_url + "/.default"``.
        api_version: the Image Builder api-version sent in every URL. The default, 2019-05-01-preview,
            is what this library's template document describes, but Azure announced its retirement: pass
            a current one (``azimagebuilder._constants.CURRENT_STABLE_API_VERSION``) against live Azure.
        polling_interval: seconds between polls of long-running operations (0: no waiting, for replay).
        transport: an azure-core ``HttpTransport``; by default requests' transport.
        **pipeline_kwargs: passed to azure-core's pipeline, for example ``connection_verify=ca_cert``,
            ``retry_total=``, ``retry_backoff_factor=``, ``logging_enable=``.

    The client is immutable and a context manager; close it (or use ``with``) to release connections.

    Example:
        >>> from azimagebuilder.emulator import Emulator  # doctest: +SKIP
        >>> with Emulator() as emu, ImageBuilderClient(  # doctest: +SKIP
        ...     emu.credential, "0000", base_url=emu.base_url, connection_verify=emu.ca_cert
        ... ) as client:
        ...     poller = client.begin_create_or_update("rg", "hello", "template.json")
        ...     template = poller.result()
    """

    __slots__ = ()

    def __init__(
        self,
        credential: TokenCredential,
        subscription_id: str,
        *,
        base_url: str = ARM_ENDPOINT,
        api_version: str = DEFAULT_API_VERSION,
        polling_interval: float = 30,
        transport: HttpTransport[Any, Any] | None = None,
        **pipeline_kwargs: Any,
    ) -> None:
        base_url = self._settle(credential, subscription_id, base_url, api_version, polling_interval)
        kwargs = dict(pipeline_kwargs)
        policies = _policies(credential, base_url, kwargs)
        if transport is not None:
            kwargs["transport"] = transport
        from azure.mgmt.core import ARMPipelineClient

        self._client: ARMPipelineClient[Any, Any] = ARMPipelineClient(
            base_url=base_url, policies=policies, **kwargs
        )
        self._frozen = True

    def close(self) -> None:
        """Close the pipeline's connections."""
        self._client.close()

    def __enter__(self) -> ImageBuilderClient:
        self._client.__enter__()
        return self

    def __exit__(self, *exc_details: object) -> None:
        self._client.__exit__(*exc_details)

    # ------------------------------------------------------------------------------------------------
    # plumbing

    def _send(self, request: Any, expected: tuple[int, ...], **kwargs: Any) -> Any:
        response = self._client.send_request(request, _return_pipeline_response=True, **kwargs)
        ops.raise_for_status(response, expected, self._api_version)
        return response

    def _start(self, request: Any, expected: tuple[int, ...], adopt: str | None, **kwargs: Any) -> Any:
        """Send the request that starts a long-running operation; a retried PUT or run that met 409
        because its earlier attempt had been carried out adopts what that attempt started."""
        from azure.core.rest import HttpRequest

        from ._resilience import adopted, maybe_acted

        response = self._client.send_request(request, _return_pipeline_response=True, **kwargs)
        if adopt is not None and response.http_response.status_code == 409 and maybe_acted(response):
            template = self._client.send_request(
                HttpRequest("GET", ops.template_url_of_run(str(request.url))),
                _return_pipeline_response=True,
                **kwargs,
            )
            if template.http_response.status_code == 200 and adopted(adopt, template, request):
                _LOG.info("a retried %s %s had been carried out; adopting it", request.method, request.url)
                return template
        ops.raise_for_status(response, expected, self._api_version)
        return response

    def _interval(self, polling_interval: float | None) -> float:
        return self._polling_interval if polling_interval is None else polling_interval

    def _lro(
        self,
        request: Any,
        expected: tuple[int, ...],
        deserialize: Callable[[Any], Any],
        polling: Any,
        continuation_token: str | None,
        kwargs: dict[str, Any],
        adopt: str | None = None,
    ) -> LROPoller[Any]:
        from azure.core.polling import LROPoller

        if continuation_token is not None:
            return LROPoller.from_continuation_token(
                polling_method=polling,
                continuation_token=continuation_token,
                client=self._client,
                deserialization_callback=deserialize,
            )
        response = self._start(request, expected, adopt, **kwargs)
        return LROPoller(self._client, response, deserialize, polling)

    def _paged(self, first: Any, item: str, kwargs: dict[str, Any]) -> ItemPaged[Any]:
        from azure.core.paging import ItemPaged

        def get_next(next_link: str | None) -> Any:
            request = first if next_link is None else self._ops.next_page(next_link)
            return self._send(request, (200,), **kwargs)

        def extract(response: Any) -> tuple[str | None, Iterator[Any]]:
            next_link, items = ops.page_of(response, item)
            return next_link, iter(items)

        return ItemPaged(get_next, extract)

    # ------------------------------------------------------------------------------------------------
    # templates

    @traced
    def get(self, resource_group_name: str, image_template_name: str, **kwargs: Any) -> ImageTemplate:
        """Read a template, with ``provisioning_state``, ``provisioning_error`` and ``last_run_status``.

        Keyword arguments (``timeout``, ``headers``, ...) go to the azure-core pipeline for this call.

        Raises:
            azure.core.exceptions.ResourceNotFoundError: no such template.

        Example:
            >>> client.get("rg", "hello").last_run_status.run_sub_state  # doctest: +SKIP
            'Customizing'
        """
        request = self._ops.get_template(resource_group_name, image_template_name)
        return ops.template_from_response(self._send(request, (200,), **kwargs))

    @traced
    def list(self, resource_group_name: str | None = None, **kwargs: Any) -> ItemPaged[ImageTemplate]:
        """The templates of the subscription, or of one resource group.

        Example:
            >>> [t.name for t in client.list("rg")]  # doctest: +SKIP
            ['hello']
        """
        return self._paged(self._ops.list_templates(resource_group_name), "template", kwargs)

    @traced
    def begin_create_or_update(
        self,
        resource_group_name: str,
        image_template_name: str,
        template: Any,
        *,
        validate: bool = True,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        **kwargs: Any,
    ) -> LROPoller[ImageTemplate]:
        """Create a template (PUT). The service cannot change a template afterwards: delete and re-create
        (or PATCH what :meth:`begin_update` allows).

        Args:
            template: an ``ImageTemplate``, a dict, or anything ``load_template`` accepts (a path, JSON
                text; a bare template, a resource body or a deployment template).
            validate: check the template locally first and refuse one with errors
                (``TemplateValidationError``). ``False`` sends it as given.

        Example:
            >>> poller = client.begin_create_or_update("rg", "hello", template)  # doctest: +SKIP
            >>> poller.result().provisioning_state  # doctest: +SKIP
            'Succeeded'
        """
        from ._polling import TemplatePolling

        polling = TemplatePolling(self._interval(polling_interval), **kwargs)
        request = None
        if continuation_token is None:
            body = ops.template_body(template, validate=validate, api_version=self._api_version)
            request = self._ops.put_template(resource_group_name, image_template_name, body)
            _LOG.info("creating template %s/%s", resource_group_name, image_template_name)
        return self._lro(
            request, (200, 201), ops.template_from_response, polling, continuation_token, kwargs, adopt="put"
        )

    @traced
    def begin_update(
        self,
        resource_group_name: str,
        image_template_name: str,
        *,
        tags: Mapping[str, str] | None = None,
        identity: UserAssignedIdentity | Mapping[str, Any] | None = None,
        distribute: Sequence[Distributor | Mapping[str, Any]] | None = None,
        vm_profile: VmProfile | Mapping[str, Any] | None = None,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        **kwargs: Any,
    ) -> LROPoller[ImageTemplate]:
        """Change what the service lets a PATCH change; every argument left ``None`` stays as it is.

        What each api-version allows (the service's ``ImageTemplateUpdateParameters``): ``tags`` and
        ``identity`` at every version (``{"type": "None"}`` removes the identity); ``distribute`` (the
        whole list, replaced) from 2023-07-01; ``vm_profile`` from 2024-02-01. Anything else needs a new
        template.

        Raises:
            ApiVersionTooOldError: a field the client's api-version cannot PATCH (it names the version
                that can); nothing is sent.
            ValueError: no change given, or a value that is not what the field takes.

        Example:
            >>> client.begin_update("rg", "hello", tags={"team": "images"}).result().tags  # doctest: +SKIP
            {'team': 'images'}
        """
        from ._polling import TemplatePolling

        polling = TemplatePolling(self._interval(polling_interval), **kwargs)
        request = None
        if continuation_token is None:
            changes = {"tags": tags, "identity": identity, "distribute": distribute, "vm_profile": vm_profile}
            body = ops.update_body(self._api_version, changes)
            request = self._ops.patch_template(resource_group_name, image_template_name, body)
            _LOG.info("updating template %s/%s: %s", resource_group_name, image_template_name, sorted(body))
        return self._lro(
            request, (200, 201, 202), ops.template_from_response, polling, continuation_token, kwargs
        )

    @traced
    def begin_delete(
        self,
        resource_group_name: str,
        image_template_name: str,
        *,
        force: bool = False,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        **kwargs: Any,
    ) -> LROPoller[None]:
        """Delete a template, and with it its staging resource group (and any VHD in it).

        Unless ``force=True``, refuses with :class:`VhdNotCopiedError` when a VHD run output has not been
        copied out (no tag ``azimagebuilder.vhdCopied.<runOutputName>`` on the template).

        Example:
            >>> client.begin_delete("rg", "hello", force=True).result()  # doctest: +SKIP
        """
        from ._polling import TemplatePolling

        polling = TemplatePolling(self._interval(polling_interval), **kwargs)
        request = None
        if continuation_token is None:
            if not force:
                self._check_vhds_copied(resource_group_name, image_template_name, kwargs)
            request = self._ops.delete_template(resource_group_name, image_template_name)
            _LOG.info("deleting template %s/%s", resource_group_name, image_template_name)
        return self._lro(request, (200, 202, 204), lambda _: None, polling, continuation_token, kwargs)

    def _check_vhds_copied(
        self, resource_group_name: str, image_template_name: str, kwargs: dict[str, Any]
    ) -> None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            template = self.get(resource_group_name, image_template_name, **kwargs)
        except ResourceNotFoundError:
            return  # nothing to lose; the DELETE says what the service thinks
        if template.last_run_status is None:
            return
        try:
            outputs = list(self.list_run_outputs(resource_group_name, image_template_name, **kwargs))
        except ResourceNotFoundError:
            return
        missing = ops.uncopied_vhd_outputs(template, outputs)
        if missing:
            raise VhdNotCopiedError(image_template_name, missing)

    # ------------------------------------------------------------------------------------------------
    # runs

    @traced
    def begin_run(
        self,
        resource_group_name: str,
        image_template_name: str,
        *,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        on_status: Callable[[LastRunStatus], None] | None = None,
        **kwargs: Any,
    ) -> LROPoller[LastRunStatus]:
        """Start a build (POST .../run). The poller's result is the final run status.

        A ``Failed`` run raises :class:`~azimagebuilder.BuildFailedError` (an ``HttpResponseError``) with
        the service's code (for example ``PackerBuildFailed``), its message and ``last_run_status``; a
        ``Canceled`` run raises :class:`~azimagebuilder.BuildCanceledError`. A ``PartiallySucceeded`` run
        is *returned*, not raised: check ``result.run_state`` and the outputs.

        ``on_status`` is called with each run status the poller reads (in the poller's thread), for a
        progress display of your own: ``build(progress=True)`` draws one from the same statuses.
        Save ``poller.continuation_token()`` to resume waiting later, from any process.

        Example:
            >>> show = lambda status: print(status.run_sub_state)
            >>> poller = client.begin_run("rg", "hello", on_status=show)  # doctest: +SKIP
            >>> token = poller.continuation_token()  # doctest: +SKIP
            >>> client.begin_run("rg", "hello", continuation_token=token).result().run_state  # doctest: +SKIP
            'Succeeded'
        """
        return self._begin_run(
            resource_group_name,
            image_template_name,
            polling_interval=polling_interval,
            continuation_token=continuation_token,
            on_status=on_status,
            **kwargs,
        )

    def _begin_run(
        self,
        resource_group_name: str,
        image_template_name: str,
        *,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        on_status: StatusCallback | None = None,
        **kwargs: Any,
    ) -> LROPoller[LastRunStatus]:
        from ._polling import RunPolling

        polling = RunPolling(self._interval(polling_interval), on_status=on_status, **kwargs)
        request = None
        if continuation_token is None:
            request = self._ops.run(resource_group_name, image_template_name)
            _LOG.info("starting a run of %s/%s", resource_group_name, image_template_name)
        return self._lro(
            request, (200, 202, 204), lambda _: None, polling, continuation_token, kwargs, adopt="run"
        )

    @traced
    def begin_cancel(
        self,
        resource_group_name: str,
        image_template_name: str,
        *,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        **kwargs: Any,
    ) -> LROPoller[LastRunStatus]:
        """Cancel the running build (POST .../cancel, from api-version 2020-02-14).

        The poller ends when the run has stopped; its result is the final run status (``run_state``
        Canceled; the run's outputs are absent). The run's own poller (``begin_run``, ``build``) raises
        :class:`~azimagebuilder.BuildCanceledError`.

        Raises:
            ApiVersionTooOldError: the client's api-version has no cancel (nothing is sent).
            azure.core.exceptions.ResourceExistsError: no build is running (the service's 409 Conflict).

        Example:
            >>> client.begin_cancel("rg", "hello").result().run_state  # doctest: +SKIP
            'Canceled'
        """
        from ._polling import CancelPolling

        polling = CancelPolling(self._interval(polling_interval))
        request = None
        if continuation_token is None:
            ops.check_operation("begin_cancel", self._api_version)
            request = self._ops.cancel(resource_group_name, image_template_name)
            _LOG.info("canceling the run of %s/%s", resource_group_name, image_template_name)
        return self._lro(
            request, (200, 202, 204), lambda _: None, polling, continuation_token, kwargs, adopt="cancel"
        )

    @traced
    def list_run_outputs(
        self, resource_group_name: str, image_template_name: str, **kwargs: Any
    ) -> ItemPaged[RunOutput]:
        """The run outputs of the last run, one per distributor.

        Example:
            >>> [(o.name, o.artifact_id) for o in client.list_run_outputs("rg", "hello")]  # doctest: +SKIP
            [('img', '/subscriptions/.../images/hello')]
        """
        request = self._ops.list_run_outputs(resource_group_name, image_template_name)
        return self._paged(request, "run_output", kwargs)

    @traced
    def get_run_output(
        self, resource_group_name: str, image_template_name: str, run_output_name: str, **kwargs: Any
    ) -> RunOutput:
        """One run output (named after its distributor's ``runOutputName``).

        Example:
            >>> client.get_run_output("rg", "hello", "vhd").artifact_uri  # doctest: +SKIP
            'https://....blob.core.windows.net/vhds/hello.vhd'
        """
        request = self._ops.get_run_output(resource_group_name, image_template_name, run_output_name)
        response = self._send(request, (200,), **kwargs)
        body = ops.response_json(response.http_response)
        return ops.run_output_from_json(body if isinstance(body, Mapping) else {})

    # ------------------------------------------------------------------------------------------------
    # triggers (from api-version 2022-07-01)

    @traced
    def begin_create_or_update_trigger(
        self,
        resource_group_name: str,
        image_template_name: str,
        trigger_name: str,
        trigger: Trigger | Mapping[str, Any] | None = None,
        *,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        **kwargs: Any,
    ) -> LROPoller[Trigger]:
        """Create a trigger of a template (PUT .../triggers/{trigger_name}); the default is SourceImage.

        A SourceImage trigger starts a build of the template whenever a new version of its source
        gallery image (a ``SharedImageVersionSource``) is created. After several failed builds in a row
        the service deactivates it (``status``) until a manual build succeeds.

        Raises:
            ApiVersionTooOldError: the client's api-version has no triggers (nothing is sent).

        Example:
            >>> client.begin_create_or_update_trigger("rg", "hello", "source").result().kind  # doctest: +SKIP
            'SourceImage'
        """
        from ._polling import TemplatePolling

        polling = TemplatePolling(self._interval(polling_interval), **kwargs)
        request = None
        if continuation_token is None:
            ops.check_operation("begin_create_or_update_trigger", self._api_version)
            body = ops.trigger_body(trigger)
            path = (resource_group_name, image_template_name, trigger_name)
            request = self._ops.put_trigger(*path, body)
            _LOG.info("creating trigger %s of %s/%s", trigger_name, resource_group_name, image_template_name)
        return self._lro(request, (200, 201), ops.trigger_from_response, polling, continuation_token, kwargs)

    @traced
    def get_trigger(
        self, resource_group_name: str, image_template_name: str, trigger_name: str, **kwargs: Any
    ) -> Trigger:
        """Read a trigger, with its ``status`` and ``provisioning_state``.

        Example:
            >>> client.get_trigger("rg", "hello", "source").status.code  # doctest: +SKIP
            'Healthy'
        """
        ops.check_operation("get_trigger", self._api_version)
        request = self._ops.get_trigger(resource_group_name, image_template_name, trigger_name)
        return ops.trigger_from_response(self._send(request, (200,), **kwargs))

    @traced
    def list_triggers(
        self, resource_group_name: str, image_template_name: str, **kwargs: Any
    ) -> ItemPaged[Trigger]:
        """The triggers of a template.

        Example:
            >>> [t.name for t in client.list_triggers("rg", "hello")]  # doctest: +SKIP
            ['source']
        """
        ops.check_operation("list_triggers", self._api_version)
        request = self._ops.list_triggers(resource_group_name, image_template_name)
        return self._paged(request, "trigger", kwargs)

    @traced
    def begin_delete_trigger(
        self,
        resource_group_name: str,
        image_template_name: str,
        trigger_name: str,
        *,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        **kwargs: Any,
    ) -> LROPoller[None]:
        """Delete a trigger (the template stays).

        Example:
            >>> client.begin_delete_trigger("rg", "hello", "source").result()  # doctest: +SKIP
        """
        from ._polling import TemplatePolling

        polling = TemplatePolling(self._interval(polling_interval), **kwargs)
        request = None
        if continuation_token is None:
            ops.check_operation("begin_delete_trigger", self._api_version)
            request = self._ops.delete_trigger(resource_group_name, image_template_name, trigger_name)
        return self._lro(request, (200, 202, 204), lambda _: None, polling, continuation_token, kwargs)

    # ------------------------------------------------------------------------------------------------
    # the common path

    @traced
    def build(
        self,
        resource_group_name: str,
        image_template_name: str,
        template: Any,
        *,
        replace: bool = False,
        progress: ProgressArg = None,
        timeout: float | None = None,
        cancel_on_interrupt: bool = False,
    ) -> BuildResult:
        """Create the template (or reuse an identical one), run it, wait, and return the outputs.

        Args:
            template: as for :meth:`begin_create_or_update`; checked locally first.
            replace: when a *different* template has this name, delete it and create this one
                (the VHD guard of :meth:`begin_delete` still applies). Without it,
                :class:`TemplateExistsError` is raised.
            progress: a callable receiving :class:`~azimagebuilder.progress.BuildProgress` events
                (run state, sub-state, elapsed time; called from the poller's thread while the run
                goes on), or ``True`` for a display that works in a terminal and in Jupyter.
            timeout: seconds to wait for the run; then :class:`BuildTimeoutError` (with a continuation
                token; the build goes on in the service).
            cancel_on_interrupt: on Ctrl-C (KeyboardInterrupt) while the run goes on, cancel it in Azure
                before re-raising. By default the build goes on: the progress display stops at once, one
                line on stderr says how to cancel it or resume waiting (the run's continuation token, also
                added to the exception's notes), and the KeyboardInterrupt is re-raised.

        Raises:
            BuildFailedError: the run failed. A PartiallySucceeded run is returned (see
                ``BuildResult.partially_succeeded``).
            BuildCanceledError: the run was canceled (``begin_cancel``, the portal, the CLI).

        Example:
            >>> result = client.build("rg", "hello", template, progress=True)  # doctest: +SKIP
            >>> result.vhd_uris  # doctest: +SKIP
            {'vhd': 'https://....blob.core.windows.net/vhds/hello.vhd'}
        """
        from ._polling import RunPolling
        from .progress import Reporter

        reporter = Reporter.create(progress, image_template_name)
        gate = _build.StatusGate(reporter.status)
        poller: LROPoller[LastRunStatus] | None = None
        try:
            body = ops.template_body(template, validate=True, api_version=self._api_version)
            existing = self._raw_template(resource_group_name, image_template_name)
            plan = _build.plan(body, existing, replace=replace, name=image_template_name)
            if plan.action == "update-tags":
                reporter.phase("updating")
                self.begin_update(resource_group_name, image_template_name, tags=plan.tags).result()
            elif plan.action == "replace":
                reporter.phase("replacing")
                self.begin_delete(resource_group_name, image_template_name).result()
            if plan.action in ("create", "replace"):
                reporter.phase("creating")
                self.begin_create_or_update(
                    resource_group_name, image_template_name, body, validate=False
                ).result()
            else:
                _build.LOG.info("reusing the template %s/%s", resource_group_name, image_template_name)
            reporter.phase("running")
            poller = self._begin_run(resource_group_name, image_template_name, on_status=gate)
            deadline = None if timeout is None else time.monotonic() + timeout
            poller.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if not poller.done():
                raise BuildTimeoutError(image_template_name, float(timeout or 0), poller.continuation_token())
            status = poller.result()
            if status is not None:
                reporter.status(status)
            outputs = tuple(self.list_run_outputs(resource_group_name, image_template_name))
            final = self.get(resource_group_name, image_template_name)
            reporter.phase("done")
            return BuildResult(template=final, run_status=status, outputs=outputs)
        except KeyboardInterrupt as exc:
            gate.close()  # the progress display stops at once ...
            reporter.close()
            if poller is not None:  # ... and the poller left behind never reports (or polls) again
                method = poller.polling_method()
                if isinstance(method, RunPolling):
                    method.abandon()
            self._interrupted(resource_group_name, image_template_name, poller, cancel_on_interrupt, exc)
            raise
        except BaseException as exc:
            reporter.stopped(exc)  # the display ends with the outcome: Failed, canceled, timed out, stopped
            raise
        finally:
            reporter.close()

    def _interrupted(
        self,
        resource_group_name: str,
        image_template_name: str,
        poller: LROPoller[LastRunStatus] | None,
        cancel_on_interrupt: bool,
        error: KeyboardInterrupt,
    ) -> None:
        token = poller.continuation_token() if poller is not None else None
        canceled: bool | None = None
        if poller is not None and cancel_on_interrupt:
            try:
                self.begin_cancel(resource_group_name, image_template_name).result()
                canceled = True
            except (KeyboardInterrupt, Exception) as cancel_error:  # a second Ctrl-C, or the cancel failed
                _build.LOG.info("cancel on interrupt did not finish: %s", type(cancel_error).__name__)
                canceled = False
        line = _build.interrupted_line(
            resource_group_name, image_template_name, token, started=poller is not None, canceled=canceled
        )
        _build.announce_interrupt(line, error)

    def _raw_template(self, resource_group_name: str, image_template_name: str) -> dict[str, Any] | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            response = self._send(self._ops.get_template(resource_group_name, image_template_name), (200,))
        except ResourceNotFoundError:
            return None
        body = ops.response_json(response.http_response)
        return dict(body) if isinstance(body, Mapping) else {}
