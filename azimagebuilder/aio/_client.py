"""The async ImageBuilderClient: the same surface as the sync one, on azure-core's async pipeline.

Requests and responses are made and read by :mod:`azimagebuilder._operations`, exactly as in the sync
client; only the sending differs. Pass an async credential (``azure.identity.aio``); a sync one works too.

Example:
    >>> async def main() -> None:  # doctest: +SKIP
    ...     async with ImageBuilderClient(credential, "<subscription id>") as client:
    ...         result = await client.build("rg", "hello", "template.json", progress=True)
    ...         print(result.artifact_ids)
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import _build
from .. import _operations as ops
from .._client import BuildResult, ProgressArg
from .._constants import ARM_ENDPOINT, DEFAULT_API_VERSION
from .._errors import BuildTimeoutError, VhdNotCopiedError
from .._operations import traced, traced_async
from .._version import __version__

# As in the sync client, azure-core and azure-mgmt-core load when a client is created or a method called.
if TYPE_CHECKING:
    from types import TracebackType

    from azure.core.async_paging import AsyncItemPaged
    from azure.core.credentials_async import AsyncTokenCredential
    from azure.core.pipeline.transport import AsyncHttpTransport
    from azure.core.polling import AsyncLROPoller
    from azure.mgmt.core import AsyncARMPipelineClient

    from .._polling import StatusCallback
    from ..models import (
        Distributor,
        ImageTemplate,
        LastRunStatus,
        RunOutput,
        Trigger,
        UserAssignedIdentity,
        VmProfile,
    )

__all__ = ["BuildResult", "ImageBuilderClient"]

_LOG = logging.getLogger("azimagebuilder.client.aio")


def _policies(credential: Any, base_url: str, kwargs: dict[str, Any]) -> list[Any]:
    from azure.core.pipeline import policies
    from azure.mgmt.core.policies import (
        ARMHttpLoggingPolicy,
        AsyncARMAutoResourceProviderRegistrationPolicy,
        AsyncARMChallengeAuthenticationPolicy,
    )

    from .._resilience import AsyncRetryPolicy, AsyncStripAuthorizationPolicy

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
        AsyncARMAutoResourceProviderRegistrationPolicy(),
        policies.AsyncRedirectPolicy(**kwargs),
        AsyncRetryPolicy(**kwargs),
        AsyncARMChallengeAuthenticationPolicy(credential, *scopes, **kwargs),
        policies.CustomHookPolicy(**kwargs),
        policies.DistributedTracingPolicy(**kwargs),
        policies.SensitiveHeaderCleanupPolicy(**kwargs),
        ARMHttpLoggingPolicy(**kwargs),
        AsyncStripAuthorizationPolicy(),  # innermost: no token left on what comes back
    ]


def _one_tls_context_transport(kwargs: dict[str, Any]) -> AsyncHttpTransport[Any, Any] | None:
    """An aiohttp transport with one SSL context for the client, when ``connection_verify`` is a CA file.

    Given a path, azure-core's ``AioHttpTransport`` builds ``ssl.create_default_context(cafile=path)`` for
    every request and passes it to aiohttp as the request's ``ssl``; aiohttp keys its connection pool on
    that object, so no connection is ever reused (a TLS handshake and about 2.5 MiB per request). Instead
    the context is built once and set on the session's connector, and the transport is told
    ``connection_verify=True``, so each request leaves ``ssl`` to the connector. ``None`` (azure-core's
    default transport, as before) for anything else: no or a boolean ``connection_verify``, or a caller's
    own ``session``.
    """
    verify = kwargs.get("connection_verify")
    if not isinstance(verify, str | os.PathLike) or "session" in kwargs:
        return None
    cafile: str = os.fspath(verify)
    from azure.core.pipeline.transport._aiohttp import AioHttpTransport  # as azure-core does, for typing

    class _Transport(AioHttpTransport):
        """Opens its session with a connector that holds the one context. Built here, inside the event
        loop aiohttp needs, so a missing CA file still raises ``FileNotFoundError`` at the first request
        (or on ``async with``), never when the client is constructed."""

        async def open(self) -> None:
            if self.session is None and self._session_owner and not self._has_been_opened:
                import ssl

                import aiohttp

                context = ssl.create_default_context(cafile=cafile)
                if self.connection_config.cert:
                    context.load_cert_chain(*self.connection_config.cert)
                    self.connection_config.cert = None
                self.session = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(ssl=context),
                    trust_env=self._use_env_settings,
                    cookie_jar=aiohttp.DummyCookieJar(),
                    auto_decompress=False,
                )
            await super().open()  # type: ignore[no-untyped-call]

    options = {key: value for key, value in kwargs.items() if key != "connection_verify"}
    transport: AsyncHttpTransport[Any, Any] = _Transport(connection_verify=True, **options)
    return transport


class ImageBuilderClient(ops.ClientBase):
    """The async client for Azure VM Image Builder templates; see :class:`azimagebuilder.ImageBuilderClient`.

    Every method has the same name, arguments and result as in the sync client; ``begin_*`` return
    ``AsyncLROPoller``, ``list*`` return ``AsyncItemPaged``. Use ``async with`` (or ``await close()``).

    Example:
        >>> async with ImageBuilderClient(  # doctest: +SKIP
        ...     emu.credential, "0000", base_url=emu.base_url, connection_verify=emu.ca_cert
        ... ) as client:
        ...     template = await (await client.begin_create_or_update("rg", "hello", template)).result()
    """

    __slots__ = ()
    _credential_example = "azure.identity.aio.DefaultAzureCredential()"
    _repr_name = "aio.ImageBuilderClient"

    def __init__(
        self,
        credential: AsyncTokenCredential,
        subscription_id: str,
        *,
        base_url: str = ARM_ENDPOINT,
        api_version: str = DEFAULT_API_VERSION,
        polling_interval: float = 30,
        transport: AsyncHttpTransport[Any, Any] | None = None,
        **pipeline_kwargs: Any,
    ) -> None:
        base_url = self._settle(credential, subscription_id, base_url, api_version, polling_interval)
        kwargs = dict(pipeline_kwargs)
        policies = _policies(credential, base_url, kwargs)
        if transport is None:
            transport = _one_tls_context_transport(kwargs)
        if transport is not None:
            kwargs["transport"] = transport
        from azure.mgmt.core import AsyncARMPipelineClient

        self._client: AsyncARMPipelineClient[Any, Any] = AsyncARMPipelineClient(
            base_url=base_url, policies=policies, **kwargs
        )
        self._frozen = True

    async def close(self) -> None:
        """Close the pipeline's connections."""
        await self._client.close()

    async def __aenter__(self) -> ImageBuilderClient:
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self._client.__aexit__(exc_type, exc_value, traceback)

    # ------------------------------------------------------------------------------------------------
    # plumbing

    async def _send(self, request: Any, expected: tuple[int, ...], **kwargs: Any) -> Any:
        response = await self._client.send_request(request, _return_pipeline_response=True, **kwargs)
        ops.raise_for_status(response, expected, self._api_version)
        return response

    async def _start(self, request: Any, expected: tuple[int, ...], adopt: str | None, **kwargs: Any) -> Any:
        """Send the request that starts a long-running operation; see the sync client's ``_start``."""
        from azure.core.rest import HttpRequest

        from .._resilience import adopted, maybe_acted

        response = await self._client.send_request(request, _return_pipeline_response=True, **kwargs)
        if adopt is not None and response.http_response.status_code == 409 and maybe_acted(response):
            template = await self._client.send_request(
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

    async def _lro(
        self,
        request: Any,
        expected: tuple[int, ...],
        deserialize: Callable[[Any], Any],
        polling: Any,
        continuation_token: str | None,
        kwargs: dict[str, Any],
        adopt: str | None = None,
    ) -> AsyncLROPoller[Any]:
        from azure.core.polling import AsyncLROPoller

        if continuation_token is not None:
            return AsyncLROPoller.from_continuation_token(
                polling_method=polling,
                continuation_token=continuation_token,
                client=self._client,
                deserialization_callback=deserialize,
            )
        response = await self._start(request, expected, adopt, **kwargs)
        return AsyncLROPoller(self._client, response, deserialize, polling)

    def _paged(self, first: Any, item: str, kwargs: dict[str, Any]) -> AsyncItemPaged[Any]:
        from azure.core.async_paging import AsyncItemPaged, AsyncList

        async def get_next(next_link: str | None) -> Any:
            request = first if next_link is None else self._ops.next_page(next_link)
            return await self._send(request, (200,), **kwargs)

        async def extract(response: Any) -> tuple[str | None, AsyncIterator[Any]]:
            next_link, items = ops.page_of(response, item)
            return next_link, AsyncList(items)

        return AsyncItemPaged(get_next, extract)

    # ------------------------------------------------------------------------------------------------
    # templates

    @traced_async
    async def get(self, resource_group_name: str, image_template_name: str, **kwargs: Any) -> ImageTemplate:
        """Read a template, with ``provisioning_state``, ``provisioning_error`` and ``last_run_status``.

        Example:
            >>> (await client.get("rg", "hello")).provisioning_state  # doctest: +SKIP
            'Succeeded'
        """
        request = self._ops.get_template(resource_group_name, image_template_name)
        return ops.template_from_response(await self._send(request, (200,), **kwargs))

    @traced
    def list(self, resource_group_name: str | None = None, **kwargs: Any) -> AsyncItemPaged[ImageTemplate]:
        """The templates of the subscription, or of one resource group (``async for``).

        Example:
            >>> [t.name async for t in client.list("rg")]  # doctest: +SKIP
            ['hello']
        """
        return self._paged(self._ops.list_templates(resource_group_name), "template", kwargs)

    @traced_async
    async def begin_create_or_update(
        self,
        resource_group_name: str,
        image_template_name: str,
        template: Any,
        *,
        validate: bool = True,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[ImageTemplate]:
        """Create a template (PUT); checked locally first unless ``validate=False``.

        Example:
            >>> poller = await client.begin_create_or_update("rg", "hello", template)  # doctest: +SKIP
            >>> (await poller.result()).provisioning_state  # doctest: +SKIP
            'Succeeded'
        """
        from .._polling import AsyncTemplatePolling

        polling = AsyncTemplatePolling(self._interval(polling_interval), **kwargs)
        request = None
        if continuation_token is None:
            body = ops.template_body(template, validate=validate, api_version=self._api_version)
            request = self._ops.put_template(resource_group_name, image_template_name, body)
        return await self._lro(
            request, (200, 201), ops.template_from_response, polling, continuation_token, kwargs, adopt="put"
        )

    @traced_async
    async def begin_update(
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
    ) -> AsyncLROPoller[ImageTemplate]:
        """PATCH what the api-version allows (tags, identity; distribute from 2023-07-01; vm_profile from
        2024-02-01); see the sync ``begin_update``.

        Example:
            >>> poller = await client.begin_update("rg", "hello", tags={"team": "images"})  # doctest: +SKIP
            >>> (await poller.result()).tags  # doctest: +SKIP
            {'team': 'images'}
        """
        from .._polling import AsyncTemplatePolling

        polling = AsyncTemplatePolling(self._interval(polling_interval), **kwargs)
        request = None
        if continuation_token is None:
            changes = {"tags": tags, "identity": identity, "distribute": distribute, "vm_profile": vm_profile}
            body = ops.update_body(self._api_version, changes)
            request = self._ops.patch_template(resource_group_name, image_template_name, body)
        return await self._lro(
            request, (200, 201, 202), ops.template_from_response, polling, continuation_token, kwargs
        )

    @traced_async
    async def begin_delete(
        self,
        resource_group_name: str,
        image_template_name: str,
        *,
        force: bool = False,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[None]:
        """Delete a template; refuses an uncopied VHD output (:class:`VhdNotCopiedError`) unless ``force``.

        Example:
            >>> await (await client.begin_delete("rg", "hello", force=True)).result()  # doctest: +SKIP
        """
        from .._polling import AsyncTemplatePolling

        polling = AsyncTemplatePolling(self._interval(polling_interval), **kwargs)
        request = None
        if continuation_token is None:
            if not force:
                await self._check_vhds_copied(resource_group_name, image_template_name, kwargs)
            request = self._ops.delete_template(resource_group_name, image_template_name)
        return await self._lro(request, (200, 202, 204), lambda _: None, polling, continuation_token, kwargs)

    async def _check_vhds_copied(
        self, resource_group_name: str, image_template_name: str, kwargs: dict[str, Any]
    ) -> None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            template = await self.get(resource_group_name, image_template_name, **kwargs)
        except ResourceNotFoundError:
            return
        if template.last_run_status is None:
            return
        try:
            outputs = [
                o async for o in self.list_run_outputs(resource_group_name, image_template_name, **kwargs)
            ]
        except ResourceNotFoundError:
            return
        missing = ops.uncopied_vhd_outputs(template, outputs)
        if missing:
            raise VhdNotCopiedError(image_template_name, missing)

    # ------------------------------------------------------------------------------------------------
    # runs

    @traced_async
    async def begin_run(
        self,
        resource_group_name: str,
        image_template_name: str,
        *,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        on_status: Callable[[LastRunStatus], None] | None = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[LastRunStatus]:
        """Start a build; the result is the final run status. A failed build raises BuildFailedError, a
        canceled one BuildCanceledError; PartiallySucceeded is returned, not raised. ``on_status`` (a plain
        function, called in the event loop) gets each run status the poller reads.

        Example:
            >>> status = await (await client.begin_run("rg", "hello")).result()  # doctest: +SKIP
        """
        return await self._begin_run(
            resource_group_name,
            image_template_name,
            polling_interval=polling_interval,
            continuation_token=continuation_token,
            on_status=on_status,
            **kwargs,
        )

    async def _begin_run(
        self,
        resource_group_name: str,
        image_template_name: str,
        *,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        on_status: StatusCallback | None = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[LastRunStatus]:
        from .._polling import AsyncRunPolling

        polling = AsyncRunPolling(self._interval(polling_interval), on_status=on_status, **kwargs)
        request = None
        if continuation_token is None:
            request = self._ops.run(resource_group_name, image_template_name)
        return await self._lro(
            request, (200, 202, 204), lambda _: None, polling, continuation_token, kwargs, adopt="run"
        )

    @traced_async
    async def begin_cancel(
        self,
        resource_group_name: str,
        image_template_name: str,
        *,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[LastRunStatus]:
        """Cancel the running build (from api-version 2020-02-14); the result is the final run status
        (``run_state`` Canceled). See the sync ``begin_cancel``.

        Example:
            >>> status = await (await client.begin_cancel("rg", "hello")).result()  # doctest: +SKIP
        """
        from .._polling import AsyncCancelPolling

        polling = AsyncCancelPolling(self._interval(polling_interval))
        request = None
        if continuation_token is None:
            ops.check_operation("begin_cancel", self._api_version)
            request = self._ops.cancel(resource_group_name, image_template_name)
        return await self._lro(
            request, (200, 202, 204), lambda _: None, polling, continuation_token, kwargs, adopt="cancel"
        )

    @traced
    def list_run_outputs(
        self, resource_group_name: str, image_template_name: str, **kwargs: Any
    ) -> AsyncItemPaged[RunOutput]:
        """The run outputs of the last run (``async for``).

        Example:
            >>> [o.name async for o in client.list_run_outputs("rg", "hello")]  # doctest: +SKIP
            ['vhd']
        """
        request = self._ops.list_run_outputs(resource_group_name, image_template_name)
        return self._paged(request, "run_output", kwargs)

    @traced_async
    async def get_run_output(
        self, resource_group_name: str, image_template_name: str, run_output_name: str, **kwargs: Any
    ) -> RunOutput:
        """One run output (named after its distributor's ``runOutputName``).

        Example:
            >>> (await client.get_run_output("rg", "hello", "vhd")).artifact_uri  # doctest: +SKIP
            'https://....blob.core.windows.net/vhds/hello.vhd'
        """
        request = self._ops.get_run_output(resource_group_name, image_template_name, run_output_name)
        response = await self._send(request, (200,), **kwargs)
        body = ops.response_json(response.http_response)
        return ops.run_output_from_json(body if isinstance(body, Mapping) else {})

    # ------------------------------------------------------------------------------------------------
    # triggers (from api-version 2022-07-01)

    @traced_async
    async def begin_create_or_update_trigger(
        self,
        resource_group_name: str,
        image_template_name: str,
        trigger_name: str,
        trigger: Trigger | Mapping[str, Any] | None = None,
        *,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[Trigger]:
        """Create a trigger (default: SourceImage); see the sync ``begin_create_or_update_trigger``.

        Example:
            >>> poller = await client.begin_create_or_update_trigger("rg", "t", "source")  # doctest: +SKIP
            >>> (await poller.result()).kind  # doctest: +SKIP
            'SourceImage'
        """
        from .._polling import AsyncTemplatePolling

        polling = AsyncTemplatePolling(self._interval(polling_interval), **kwargs)
        request = None
        if continuation_token is None:
            ops.check_operation("begin_create_or_update_trigger", self._api_version)
            body = ops.trigger_body(trigger)
            request = self._ops.put_trigger(resource_group_name, image_template_name, trigger_name, body)
        return await self._lro(
            request, (200, 201), ops.trigger_from_response, polling, continuation_token, kwargs
        )

    @traced_async
    async def get_trigger(
        self, resource_group_name: str, image_template_name: str, trigger_name: str, **kwargs: Any
    ) -> Trigger:
        """Read a trigger, with its ``status`` and ``provisioning_state``.

        Example:
            >>> (await client.get_trigger("rg", "hello", "source")).status.code  # doctest: +SKIP
            'Healthy'
        """
        ops.check_operation("get_trigger", self._api_version)
        request = self._ops.get_trigger(resource_group_name, image_template_name, trigger_name)
        return ops.trigger_from_response(await self._send(request, (200,), **kwargs))

    @traced
    def list_triggers(
        self, resource_group_name: str, image_template_name: str, **kwargs: Any
    ) -> AsyncItemPaged[Trigger]:
        """The triggers of a template (``async for``).

        Example:
            >>> [t.name async for t in client.list_triggers("rg", "hello")]  # doctest: +SKIP
            ['source']
        """
        ops.check_operation("list_triggers", self._api_version)
        request = self._ops.list_triggers(resource_group_name, image_template_name)
        return self._paged(request, "trigger", kwargs)

    @traced_async
    async def begin_delete_trigger(
        self,
        resource_group_name: str,
        image_template_name: str,
        trigger_name: str,
        *,
        polling_interval: float | None = None,
        continuation_token: str | None = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[None]:
        """Delete a trigger (the template stays).

        Example:
            >>> await (await client.begin_delete_trigger("rg", "hello", "source")).result()  # doctest: +SKIP
        """
        from .._polling import AsyncTemplatePolling

        polling = AsyncTemplatePolling(self._interval(polling_interval), **kwargs)
        request = None
        if continuation_token is None:
            ops.check_operation("begin_delete_trigger", self._api_version)
            request = self._ops.delete_trigger(resource_group_name, image_template_name, trigger_name)
        return await self._lro(request, (200, 202, 204), lambda _: None, polling, continuation_token, kwargs)

    # ------------------------------------------------------------------------------------------------
    # the common path

    @traced_async
    async def build(
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
        """Create (or reuse an identical template), run, wait, return the outputs; see the sync ``build``."""
        from ..progress import Reporter

        reporter = Reporter.create(progress, image_template_name)
        gate = _build.StatusGate(reporter.status)
        poller: AsyncLROPoller[LastRunStatus] | None = None
        try:
            body = ops.template_body(template, validate=True, api_version=self._api_version)
            existing = await self._raw_template(resource_group_name, image_template_name)
            plan = _build.plan(body, existing, replace=replace, name=image_template_name)
            if plan.action == "update-tags":
                reporter.phase("updating")
                await _result(self.begin_update(resource_group_name, image_template_name, tags=plan.tags))
            elif plan.action == "replace":
                reporter.phase("replacing")
                await _result(self.begin_delete(resource_group_name, image_template_name))
            if plan.action in ("create", "replace"):
                reporter.phase("creating")
                await _result(
                    self.begin_create_or_update(
                        resource_group_name, image_template_name, body, validate=False
                    )
                )
            else:
                _build.LOG.info("reusing the template %s/%s", resource_group_name, image_template_name)
            reporter.phase("running")
            poller = await self._begin_run(resource_group_name, image_template_name, on_status=gate)
            try:
                status = await asyncio.wait_for(poller.result(), timeout)
            except asyncio.TimeoutError:
                raise BuildTimeoutError(
                    image_template_name, float(timeout or 0), poller.continuation_token()
                ) from None
            if status is not None:
                reporter.status(status)
            outputs = tuple(
                [o async for o in self.list_run_outputs(resource_group_name, image_template_name)]
            )
            final = await self.get(resource_group_name, image_template_name)
            reporter.phase("done")
            return BuildResult(template=final, run_status=status, outputs=outputs)
        except (KeyboardInterrupt, asyncio.CancelledError) as exc:
            # Ctrl-C: asyncio.run cancels the task running build() (a second Ctrl-C raises KeyboardInterrupt).
            gate.close()
            reporter.close()
            await self._interrupted(
                resource_group_name, image_template_name, poller, cancel_on_interrupt, exc
            )
            raise
        except BaseException as exc:
            reporter.stopped(exc)  # the display ends with the outcome: Failed, canceled, timed out, stopped
            raise
        finally:
            reporter.close()

    async def _interrupted(
        self,
        resource_group_name: str,
        image_template_name: str,
        poller: AsyncLROPoller[LastRunStatus] | None,
        cancel_on_interrupt: bool,
        error: BaseException,
    ) -> None:
        token = poller.continuation_token() if poller is not None else None
        canceled: bool | None = None
        if poller is not None and cancel_on_interrupt:
            try:
                await _result(self.begin_cancel(resource_group_name, image_template_name))
                canceled = True
            except (KeyboardInterrupt, asyncio.CancelledError, Exception) as cancel_error:
                _build.LOG.info("cancel on interrupt did not finish: %s", type(cancel_error).__name__)
                canceled = False
        line = _build.interrupted_line(
            resource_group_name, image_template_name, token, started=poller is not None, canceled=canceled
        )
        _build.announce_interrupt(line, error)

    async def _raw_template(
        self, resource_group_name: str, image_template_name: str
    ) -> dict[str, Any] | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            response = await self._send(
                self._ops.get_template(resource_group_name, image_template_name), (200,)
            )
        except ResourceNotFoundError:
            return None
        body = ops.response_json(response.http_response)
        return dict(body) if isinstance(body, Mapping) else {}


async def _result(poller: Awaitable[AsyncLROPoller[Any]]) -> Any:
    return await (await poller).result()
