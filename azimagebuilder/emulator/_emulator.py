"""The :class:`Emulator`: a local Microsoft.VirtualMachineImages resource provider over HTTPS."""

from __future__ import annotations

import contextlib
import shutil
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .._constants import KNOWN_API_VERSIONS
from ._artifacts import ArtifactStore, MemoryArtifactStore
from ._blobs import BlobService, is_blob_request
from ._clock import Clock, SystemClock
from ._faults import FaultPlan, FaultRule
from ._router import ArmError, Request, Response, Router
from ._server import Dispatcher, EmulatorHTTPServer
from ._state import StateStore
from ._tls import make_certificates
from .providers import DEFAULT_PROVIDERS, EmulatorSettings, ProviderContext, load_providers

if TYPE_CHECKING:
    from ._credential import AsyncEmulatorCredential, EmulatorCredential

__all__ = ["Emulator"]


class _Dispatcher(Dispatcher):
    """ARM's front door, plus the Blob service of the in-memory staging accounts (``/<account>/...``)."""

    blobs: BlobService | None = None

    def dispatch(self, request: Request) -> Response:
        if self.blobs is not None and is_blob_request(request.path):
            return self.blobs.handle(request)
        return super().dispatch(request)


#: The subscription id an emulator reports unless told otherwise (any subscription id works).
DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


class Emulator:
    """A local, faithful stand-in for Azure VM Image Builder (and, with its sibling providers, the
    resources around a build), served over HTTPS on 127.0.0.1.

    No VM is built and no script is run: templates, runs, run outputs and logs are simulated with the
    status codes, headers, bodies and timings the real service shows.

    Args:
        port: TCP port (0: any free port).
        build_duration: seconds a run takes from Queued to done (split across the phases; 0: instant).
        create_duration: seconds until a new template is Succeeded (default: a fifth of build_duration).
        delete_duration: seconds a DELETE takes (default: a fifth of build_duration).
        clock: where time comes from; a :class:`ManualClock` lets tests step through a build.
        api_versions: Image Builder api-versions served (default: every version the library knows).
        scenario: server-wide build scenario, e.g. ``"fail:Customizing"`` (see docs/emulator.md).
        faults: fault rules (or a ready :class:`FaultPlan`) for resilience tests.
        seed: seed of the fault draws.
        state_file: keep templates in this JSON file across restarts (saved atomically).
        artifacts: where VHDs and logs go (default: in memory).
        providers: extra provider module names to load after the default ones.
        page_size: items per page of list answers.
        subscription_id: the convenience default subscription (any subscription id works).
        script_fetcher: returns a script's bytes for the ``sha256Checksum`` the service computes;
            default: the checksum of the URI text (the emulator never downloads anything).
        host: interface to listen on.

    Example:
        >>> import requests
        >>> with Emulator(build_duration=0) as emu:
        ...     url = f"{emu.base_url}/subscriptions/{emu.subscription_id}/providers/"
        ...     url += "Microsoft.VirtualMachineImages/imageTemplates?api-version=2019-05-01-preview"
        ...     token = emu.credential.get_token("https://management.azure.com/.default").token
        ...     answer = requests.get(url, headers={"Authorization": f"Bearer {token}"}, verify=emu.ca_cert)
        ...     answer.json()
        {'value': []}
    """

    def __init__(
        self,
        *,
        port: int = 0,
        build_duration: float = 3.0,
        create_duration: float | None = None,
        delete_duration: float | None = None,
        clock: Clock | None = None,
        api_versions: Iterable[str] | None = None,
        scenario: str | None = None,
        faults: FaultPlan | Iterable[FaultRule] | None = None,
        seed: int | None = 0,
        state_file: str | Path | None = None,
        artifacts: ArtifactStore | None = None,
        providers: Iterable[str] = (),
        page_size: int = 100,
        subscription_id: str = DEFAULT_SUBSCRIPTION,
        script_fetcher: Callable[[str], bytes] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        if build_duration < 0:
            raise ValueError("build_duration cannot be negative")
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.settings = EmulatorSettings(
            build_duration=float(build_duration),
            create_duration=float(create_duration if create_duration is not None else build_duration / 5),
            delete_duration=float(delete_duration if delete_duration is not None else build_duration / 5),
            api_versions=frozenset(api_versions if api_versions is not None else KNOWN_API_VERSIONS),
            scenario=scenario,
            page_size=page_size,
            subscription_id=subscription_id,
            script_fetcher=script_fetcher,
        )
        if scenario is not None:
            from .providers.imagebuilder import parse_scenario

            parse_scenario(scenario)  # fail early on a typo
        self.faults = faults if isinstance(faults, FaultPlan) else FaultPlan(faults or (), seed=seed)
        self.state = StateStore(state_file)
        self.artifacts: ArtifactStore = artifacts if artifacts is not None else MemoryArtifactStore()
        self.router = Router()
        self._port = port
        self._host = host
        self._provider_names = (*DEFAULT_PROVIDERS, *providers)
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmpdir: str | None = None
        self._ca_cert: Path | None = None
        self._credential: EmulatorCredential | None = None
        self._async_credential: AsyncEmulatorCredential | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> Emulator:
        """Make the certificates, bind the port, register the providers and serve in a thread."""
        if self._server is not None:
            raise RuntimeError("this emulator is already running")
        self._tmpdir = tempfile.mkdtemp(prefix="azimagebuilder-emulator-")
        try:
            paths = make_certificates(self._tmpdir)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(paths.server_cert, paths.server_key)
            dispatcher = _Dispatcher(self.router, self.state, self.faults)
            server = EmulatorHTTPServer(self._host, self._port, context, dispatcher)
            if isinstance(self.artifacts, MemoryArtifactStore):
                # The in-memory store's URLs name this address, and it answers Blob calls on them.
                self.artifacts.bind(server.base_url)
                dispatcher.blobs = BlobService(self.artifacts)
            provider_context = ProviderContext(
                state=self.state,
                clock=self.clock,
                artifacts=self.artifacts,
                settings=self.settings,
                base_url=server.base_url,
            )
            for module in load_providers(self._provider_names):
                module.register(self.router, provider_context)
            self._register_artifact_route()
        except BaseException:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
            raise
        self._ca_cert = paths.ca_cert
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="azimagebuilder-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections, save the state and remove the certificates."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        with contextlib.suppress(Exception):
            self.state.save()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        if isinstance(self.artifacts, MemoryArtifactStore):
            self.artifacts.bind(None)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- what clients need -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:<port>``: use it as the client's ``base_url`` (ARM endpoint)."""
        return self._require().base_url

    @property
    def port(self) -> int:
        """The TCP port served."""
        return int(self._require().server_address[1])

    @property
    def ca_cert(self) -> str:
        """CA certificate to trust: ``connection_verify=``, ``verify=``, ``REQUESTS_CA_BUNDLE``."""
        self._require()
        assert self._ca_cert is not None
        return str(self._ca_cert)

    @property
    def subscription_id(self) -> str:
        """A subscription id to use (any subscription id is accepted)."""
        return self.settings.subscription_id

    @property
    def credential(self) -> EmulatorCredential:
        """An azure-core ``TokenCredential`` whose tokens this emulator accepts."""
        if self._credential is None:
            from ._credential import EmulatorCredential

            self._credential = EmulatorCredential()
        return self._credential

    @property
    def async_credential(self) -> AsyncEmulatorCredential:
        """The ``AsyncTokenCredential`` twin of :attr:`credential`."""
        if self._async_credential is None:
            from ._credential import AsyncEmulatorCredential

            self._async_credential = AsyncEmulatorCredential()
        return self._async_credential

    # -- switches for tests ------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every template, operation and registration switch (keeps serving, same port and CA).

        Example:
            >>> with Emulator(build_duration=0) as emu:
            ...     emu.unregister_provider()
            ...     emu.reset()
            ...     emu.state.is_registered(emu.subscription_id, "Microsoft.VirtualMachineImages")
            True
        """
        self.state.clear()

    def unregister_provider(
        self, namespace: str = "Microsoft.VirtualMachineImages", *, subscription_id: str | None = None
    ) -> None:
        """Unregister ``namespace`` (its routes answer 409 MissingSubscriptionRegistration)."""
        self.state.set_registered(subscription_id or self.subscription_id, namespace, False)

    def register_provider(
        self, namespace: str = "Microsoft.VirtualMachineImages", *, subscription_id: str | None = None
    ) -> None:
        """Undo :meth:`unregister_provider`."""
        self.state.set_registered(subscription_id or self.subscription_id, namespace, True)

    def _register_artifact_route(self) -> None:
        """``GET /_emulator/artifacts?url=<blob URL>``: the bytes of an in-memory artifact (log or VHD).

        The default artifact store's URLs are blob-shaped but not reachable; this route lets a client in
        another process (curl, ``azimagebuilder emulator`` users) fetch what a run wrote.
        """
        read = getattr(self.artifacts, "read", None)
        if read is None:
            return

        def get_artifact(request: Request, params: dict[str, str]) -> Response:
            url = request.query.get("url", "")
            try:
                data = read(url)
            except KeyError:
                raise ArmError(404, "BlobNotFound", "The specified blob does not exist.") from None
            kind = "text/plain; charset=utf-8" if url.endswith(".log") else "application/octet-stream"
            return Response(200, data, {"Content-Type": kind})

        self.router.add(
            "GET", "/_emulator/artifacts", get_artifact, name="emulator.artifacts", api_version_required=False
        )

    def _require(self) -> EmulatorHTTPServer:
        if self._server is None:
            raise RuntimeError("the emulator is not running; use it as a context manager or call start()")
        return self._server

    def __repr__(self) -> str:
        where = self._server.base_url if self._server is not None else "stopped"
        return f"Emulator({where}, build_duration={self.settings.build_duration})"

    def __getstate__(self) -> dict[str, Any]:  # pragma: no cover - an emulator is not picklable
        raise TypeError("an Emulator cannot be pickled")
