"""A real Azurite blob service for tests: found or installed, started on a free port, stopped afterwards.

Azurite is Microsoft's open-source Azure Storage emulator (npm package ``azurite``). The storage helpers
of azimagebuilder (script upload, build logs, VHD copy-out) are tested against it rather than a mock, so
the Azure SDK really speaks the blob REST protocol.

How ``azurite-blob`` is found, in order: the ``AZIMAGEBUILDER_AZURITE`` environment variable (a path to
the ``azurite-blob`` executable), ``azurite-blob`` on ``PATH``, a cached install under the cache
directory; otherwise ``npm install --prefix <cache dir> azurite`` installs it there once for the user, so
every clone, worktree and virtual environment shares one install (the cache directory is
``AZIMAGEBUILDER_AZURITE_DIR``, else ``azimagebuilder/azurite`` under ``$XDG_CACHE_HOME``, ``~/.cache`` or,
on Windows, ``%LOCALAPPDATA%``; see :func:`default_cache_dir`).

The service runs with several storage accounts (the well-known ``devstoreaccount1`` plus the names given
to :func:`start_azurite`), each with its own freshly generated key, so a test can copy between "the
staging account" and "the user's account" as in Azure.

Example (in a ``conftest.py``)::

    from azimagebuilder.testing.azurite import azurite  # noqa: F401  (registers the fixture)

    def test_upload(azurite):
        service = azurite.service_client()
        service.create_container("scripts")

    def test_vhd_copy_out(azurite):
        with Emulator(artifacts=azurite.artifact_store()) as emu:  # VHDs and logs become real blobs
            ...
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pytest

# The account every Azure Storage emulator knows and its published key live beside the store that uses them,
# so the command line (azimagebuilder emulator --azurite) need not import pytest.
from ..resources._azurite_store import WELL_KNOWN_ACCOUNT, WELL_KNOWN_KEY

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient

    from ..resources._azurite_store import BlobArtifactStore

__all__ = [
    "WELL_KNOWN_ACCOUNT",
    "WELL_KNOWN_KEY",
    "AzuriteAccount",
    "AzuriteBlob",
    "AzuriteNotAvailableError",
    "azurite",
    "default_cache_dir",
    "find_azurite_blob",
    "run_directory",
    "shared_azurite",
    "start_azurite",
]

_log = logging.getLogger("azimagebuilder.testing.azurite")


#: Extra accounts the ``azurite`` fixture creates: one standing in for the build's staging account, one for
#: the user's own account.
DEFAULT_EXTRA_ACCOUNTS: tuple[str, ...] = ("ibstaging", "userstore")

_NPM_PACKAGE = "azurite"


class AzuriteNotAvailableError(RuntimeError):
    """Azurite could neither be found nor installed, or it did not start."""


@dataclass(frozen=True)
class AzuriteAccount:
    """One storage account served by Azurite; the key never shows in ``repr``.

    Example:
        >>> acct = AzuriteAccount("userstore", "a2V5", "http://127.0.0.1:10000/userstore")
        >>> acct
        AzuriteAccount(name='userstore', blob_endpoint='http://127.0.0.1:10000/userstore')
    """

    name: str
    key: str = field(repr=False)
    blob_endpoint: str
    ca_cert: Path | None = None

    def __repr__(self) -> str:
        return f"AzuriteAccount(name={self.name!r}, blob_endpoint={self.blob_endpoint!r})"

    @property
    def client_kwargs(self) -> dict[str, Any]:
        """Pipeline options a client needs to reach this service (trusting its CA when it serves https)."""
        return {"connection_verify": str(self.ca_cert)} if self.ca_cert else {}

    @property
    def connection_string(self) -> str:
        """A connection string for ``BlobServiceClient.from_connection_string``."""
        scheme = "https" if self.blob_endpoint.startswith("https:") else "http"
        return (
            f"DefaultEndpointsProtocol={scheme};AccountName={self.name};AccountKey={self.key};"
            f"BlobEndpoint={self.blob_endpoint};"
        )

    @property
    def credential(self) -> dict[str, str]:
        """The shared-key credential in the form azure-storage-blob accepts."""
        return {"account_name": self.name, "account_key": self.key}

    def service_client(self) -> BlobServiceClient:
        """A ``BlobServiceClient`` for this account (shared-key authorised)."""
        from azure.storage.blob import BlobServiceClient

        return BlobServiceClient(self.blob_endpoint, credential=self.credential, **self.client_kwargs)


@dataclass(frozen=True)
class AzuriteBlob:
    """A running Azurite blob service: where it listens and the accounts it serves.

    The attributes of the default account (``devstoreaccount1``) are repeated at the top level for
    convenience; ``accounts`` maps every account name to its :class:`AzuriteAccount`.
    """

    host: str
    port: int
    accounts: Mapping[str, AzuriteAccount]
    location: Path
    ca_cert: Path | None = None

    def __repr__(self) -> str:
        return f"AzuriteBlob(host={self.host!r}, port={self.port}, accounts={sorted(self.accounts)!r})"

    def account(self, name: str = WELL_KNOWN_ACCOUNT) -> AzuriteAccount:
        """The account called ``name``."""
        return self.accounts[name]

    @property
    def account_name(self) -> str:
        """``devstoreaccount1``, the default account's name."""
        return WELL_KNOWN_ACCOUNT

    @property
    def blob_endpoint(self) -> str:
        """``http://127.0.0.1:<port>/devstoreaccount1``."""
        return self.accounts[WELL_KNOWN_ACCOUNT].blob_endpoint

    @property
    def connection_string(self) -> str:
        """The default account's connection string (see :attr:`AzuriteAccount.connection_string`)."""
        return self.accounts[WELL_KNOWN_ACCOUNT].connection_string

    @property
    def credential(self) -> dict[str, str]:
        """The default account's shared-key credential."""
        return self.accounts[WELL_KNOWN_ACCOUNT].credential

    def service_client(self, account: str = WELL_KNOWN_ACCOUNT) -> BlobServiceClient:
        """A ``BlobServiceClient`` for ``account``."""
        return self.accounts[account].service_client()

    def artifact_store(self, account: str = "ibstaging", *, vhd_size: int | None = None) -> BlobArtifactStore:
        """An emulator artifact store in ``account``: ``Emulator(artifacts=azurite.artifact_store())``.

        The emulator's VHD run outputs become page blobs (``vhd_size`` bytes, default 4 MiB + footer) and
        its ``customization.log`` files block blobs, so copy-out and log tests move real bytes.
        """
        from ..resources._azurite_store import DEFAULT_VHD_SIZE, BlobArtifactStore

        acct = self.accounts[account]
        return BlobArtifactStore(acct.blob_endpoint, acct.credential, vhd_size=vhd_size or DEFAULT_VHD_SIZE)


def default_cache_dir() -> Path:
    """Where :func:`find_azurite_blob` installs Azurite: one directory per user, shared by every checkout.

    ``$AZIMAGEBUILDER_AZURITE_DIR`` when set, else ``azimagebuilder/azurite`` under the user's cache
    directory (``$XDG_CACHE_HOME``, else ``~/.cache``; ``%LOCALAPPDATA%`` on Windows), as Playwright and
    pre-commit keep their tools. A CI system that caches that directory skips the npm install.

    Example:
        >>> default_cache_dir().parts[-2:]  # doctest: +SKIP
        ('azimagebuilder', 'azurite')
    """
    configured = os.environ.get("AZIMAGEBUILDER_AZURITE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("LOCALAPPDATA") if os.name == "nt" else os.environ.get("XDG_CACHE_HOME")
    return Path(base or Path.home() / ".cache") / "azimagebuilder" / "azurite"


def find_azurite_blob(
    cache_dir: Path | None = None, *, install: bool = True, background: bool = False
) -> Path:
    """Return the path of the ``azurite-blob`` executable, installing the npm package when missing.

    ``background=True`` runs the install at a low CPU priority (``nice -n 10``, where ``nice`` exists), for
    an install made beside other work: it then takes the CPU the other work leaves idle.

    Raises:
        AzuriteNotAvailableError: not found and ``npm`` is missing or the install failed.

    Example:
        >>> find_azurite_blob().name  # doctest: +SKIP
        'azurite-blob'
    """
    configured = os.environ.get("AZIMAGEBUILDER_AZURITE")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise AzuriteNotAvailableError(f"AZIMAGEBUILDER_AZURITE={configured} is not a file")
        return path
    on_path = shutil.which("azurite-blob")
    if on_path:
        return Path(on_path)
    cache = cache_dir or default_cache_dir()
    cached = cache / "node_modules" / ".bin" / "azurite-blob"
    if cached.is_file():
        return cached
    if not install:
        raise AzuriteNotAvailableError(f"azurite-blob is not on PATH nor in {cache}")
    npm = shutil.which("npm")
    if npm is None:
        raise AzuriteNotAvailableError(
            "azurite-blob is not installed and npm is missing; install Node.js and run "
            f"`npm install --prefix {cache} {_NPM_PACKAGE}`"
        )
    cache.mkdir(parents=True, exist_ok=True)
    # Several pytest processes (xdist) may get here at once: one installs, the others wait.
    with open(cache / ".install.lock", "w") as lock:
        _lock_exclusively(lock)
        if not cached.is_file():
            _log.info("installing the npm package %s into %s", _NPM_PACKAGE, cache)
            niced = ["nice", "-n", "10"] if background and shutil.which("nice") else []
            proc = subprocess.run(
                # --prefer-offline: what npm's cache holds is not fetched (nor its metadata checked) again.
                [
                    *niced,
                    npm,
                    "install",
                    "--prefix",
                    str(cache),
                    "--no-audit",
                    "--no-fund",
                    "--prefer-offline",
                    _NPM_PACKAGE,
                ],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if proc.returncode != 0 or not cached.is_file():
                raise AzuriteNotAvailableError(
                    f"`npm install --prefix {cache} {_NPM_PACKAGE}` failed (exit {proc.returncode}):\n"
                    + proc.stderr[-2000:]
                )
    return cached


def _lock_exclusively(lock: IO[str]) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: concurrent first installs are merely redundant
        return
    fcntl.flock(lock, fcntl.LOCK_EX)


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _generated_key(name: str) -> str:
    # A fresh random key per service, base64 as Azurite requires.
    return base64.b64encode(hashlib.sha512(os.urandom(32) + name.encode()).digest()).decode()


def _answers_http(host: str, port: int, tls: bool = False) -> bool:
    request = f"GET /{WELL_KNOWN_ACCOUNT}?comp=list HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    try:
        with socket.create_connection((host, port), timeout=1) as raw:
            if not tls:
                raw.sendall(request)
                return raw.recv(12).startswith(b"HTTP/1.1")
            import ssl

            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # only asking whether it listens yet
            with context.wrap_socket(raw, server_hostname=host) as sock:
                sock.sendall(request)
                return sock.recv(12).startswith(b"HTTP/1.1")
    except OSError:
        return False


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


@contextlib.contextmanager
def start_azurite(
    *,
    extra_accounts: Sequence[str] = DEFAULT_EXTRA_ACCOUNTS,
    host: str = "127.0.0.1",
    executable: Path | None = None,
    startup_timeout: float = 60.0,
    attempts: int = 3,
    tls: bool = False,
    oauth: bool = False,
) -> Iterator[AzuriteBlob]:
    """Start ``azurite-blob`` on a free port with a temporary workspace; stop it on exit.

    Telemetry is disabled; ``--skipApiVersionCheck`` and ``--loose`` let the newest azure-storage-blob
    talk to it. ``tls=True`` serves https with a throw-away CA (``AzuriteBlob.ca_cert``; clients pass
    ``account.client_kwargs``); ``oauth=True`` (implies ``tls``) also accepts bearer tokens (Azurite's
    ``--oauth basic``: any well-formed token for ``https://storage.azure.com``), which user delegation SAS
    needs.

    Example:
        >>> with start_azurite() as blob:  # doctest: +SKIP
        ...     blob.service_client().create_container("scripts")
    """
    exe = executable or find_azurite_blob()
    names = [WELL_KNOWN_ACCOUNT, *(n for n in extra_accounts if n != WELL_KNOWN_ACCOUNT)]
    keys = _keys_for(names)
    with tempfile.TemporaryDirectory(prefix="azurite-") as workdir:
        proc, blob = _launch(exe, keys, Path(workdir), host, startup_timeout, attempts, tls or oauth, oauth)
        try:
            yield blob
        finally:
            _stop(proc)


def _keys_for(names: Sequence[str]) -> dict[str, str]:
    return {name: (WELL_KNOWN_KEY if name == WELL_KNOWN_ACCOUNT else _generated_key(name)) for name in names}


def _launch(
    exe: Path,
    keys: Mapping[str, str],
    workdir: Path,
    host: str,
    startup_timeout: float,
    attempts: int,
    tls: bool,
    oauth: bool,
    detach: bool = False,
) -> tuple[_Process, AzuriteBlob]:
    """Start azurite-blob serving the accounts ``keys`` names, its data and log under ``workdir``.

    ``detach``: not as a child of this process (a shared service outlives the worker that started it).
    """
    env = dict(os.environ)
    # Naming custom accounts disables devstoreaccount1 unless it is listed too.
    env["AZURITE_ACCOUNTS"] = ";".join(f"{name}:{key}" for name, key in keys.items())
    location = workdir / "data"
    location.mkdir(parents=True, exist_ok=True)
    log_path = workdir / "azurite.log"
    security: list[str] = []
    ca_cert: Path | None = None
    if tls:
        from ..emulator._tls import make_certificates

        (workdir / "certs").mkdir(exist_ok=True)
        certs = make_certificates(workdir / "certs")
        ca_cert = certs.ca_cert
        security = ["--cert", str(certs.server_cert), "--key", str(certs.server_key)]
        if oauth:
            security += ["--oauth", "basic"]
    scheme = "https" if tls else "http"
    last_error = ""
    for _attempt in range(attempts):
        port = _free_port(host)
        args = [
            str(exe),
            "--blobHost",
            host,
            "--blobPort",
            str(port),
            "--location",
            str(location),
            "--skipApiVersionCheck",
            "--loose",
            "--disableTelemetry",
            "--silent",
            *security,
        ]
        proc: _Process
        if detach:
            # The shell starts it in the background and exits, so init becomes its parent.
            started = subprocess.run(
                ["/bin/sh", "-c", '"$@" >"$0" 2>&1 </dev/null & echo $!', str(log_path), *args],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            proc = _Detached(int(started.stdout.strip()))
        else:
            with open(log_path, "wb") as log_file:
                proc = subprocess.Popen(
                    args, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
                )
        if not _wait_ready(proc, host, port, startup_timeout, tls):
            last_error = _tail(log_path)
            _stop(proc)
            continue  # most likely the port was taken between probing and binding
        accounts = {
            name: AzuriteAccount(name, key, f"{scheme}://{host}:{port}/{name}", ca_cert)
            for name, key in keys.items()
        }
        _log.debug("azurite-blob listening on %s:%s (pid %s)", host, port, proc.pid)
        return proc, AzuriteBlob(host=host, port=port, accounts=accounts, location=location, ca_cert=ca_cert)
    raise AzuriteNotAvailableError(f"azurite-blob did not start after {attempts} attempt(s):\n{last_error}")


# One Azurite per test run, shared by every pytest process of the run (xdist workers) and every place the
# fixture is imported. The first user starts it under a file lock and writes where it listens to a state
# file; each user adds itself there and removes itself when done; the last one out stops the service. So
# that workers never see each other's blobs, each worker gets accounts of its own: "ibstaging" of worker
# gw1 is the Azurite account "ibstaginggw1" (the fixture maps the names back).
_SHARED_STATE = "azurite-shared.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - exists, owned by someone else
        return True
    try:  # an exited process nobody has reaped yet (a zombie) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


@contextlib.contextmanager
def _state_locked(state_dir: Path) -> Iterator[Path]:
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "azurite-shared.lock", "w") as lock:
        _lock_exclusively(lock)
        yield state_dir / _SHARED_STATE


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state


def _write_state(path: Path, state: Mapping[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the generated account keys
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(state, out)
    os.replace(tmp, path)


def _worker_account(name: str, worker: str) -> str:
    return name if name == WELL_KNOWN_ACCOUNT or not worker else f"{name}{worker}"


@contextlib.contextmanager
def shared_azurite(
    state_dir: Path,
    *,
    worker: str = "",
    workers: Sequence[str] = ("",),
    extra_accounts: Sequence[str] = DEFAULT_EXTRA_ACCOUNTS,
    host: str = "127.0.0.1",
    executable: Path | None = None,
    startup_timeout: float = 60.0,
) -> Iterator[AzuriteBlob]:
    """An Azurite blob service shared by every process that passes the same ``state_dir``.

    The first caller starts it; later callers (other pytest-xdist workers, other test folders) reuse it;
    the last one to leave stops it. ``worker`` (an xdist worker id such as ``"gw1"``) selects the caller's
    own copy of ``extra_accounts``, so parallel workers never see each other's containers; ``workers``
    lists every worker of the run, so one start serves them all. ``devstoreaccount1`` is shared: tests
    using it should name their containers uniquely. The ``azurite`` fixture calls this with pytest's
    temporary directory of the run.

    Example:
        >>> run = Path("/tmp/run-1")
        >>> with shared_azurite(run, worker="gw0", workers=["gw0", "gw1"]) as blob:  # doctest: +SKIP
        ...     blob.account("ibstaging").name
        'ibstaginggw0'
    """
    if worker not in workers:
        workers = [*workers, worker]
    wanted = [n for n in extra_accounts if n != WELL_KNOWN_ACCOUNT]
    me = f"{os.getpid()}:{uuid.uuid4().hex}"
    with _state_locked(state_dir) as state_path:
        state = _read_state(state_path)
        usable = (
            state is not None
            and _alive(int(state["pid"]))
            and all(_worker_account(n, worker) in state["keys"] for n in wanted)
            and _answers_http(state["host"], int(state["port"]))
        )
        if not usable:
            names = [WELL_KNOWN_ACCOUNT, *(_worker_account(n, w) for w in workers for n in wanted)]
            exe = executable or find_azurite_blob()
            workdir = Path(tempfile.mkdtemp(prefix="azurite-", dir=state_dir))
            proc, started = _launch(
                exe, _keys_for(names), workdir, host, startup_timeout, 3, False, False, detach=True
            )
            state = {
                "pid": proc.pid,
                "host": host,
                "port": started.port,
                "location": str(started.location),
                "keys": {name: acct.key for name, acct in started.accounts.items()},
                "users": [],
            }
        assert state is not None
        state["users"] = [u for u in state["users"] if _alive(int(u.split(":")[0]))] + [me]
        _write_state(state_path, state)
    endpoint = f"http://{state['host']}:{state['port']}"
    accounts = {}
    for name in [WELL_KNOWN_ACCOUNT, *wanted]:
        real = _worker_account(name, worker)
        accounts[name] = AzuriteAccount(real, state["keys"][real], f"{endpoint}/{real}")
    try:
        yield AzuriteBlob(
            host=state["host"], port=int(state["port"]), accounts=accounts, location=Path(state["location"])
        )
    finally:
        _leave_shared(state_dir, me)


def _leave_shared(state_dir: Path, me: str) -> None:
    with _state_locked(state_dir) as state_path:
        state = _read_state(state_path)
        if state is None:
            return
        state["users"] = [u for u in state["users"] if u != me and _alive(int(u.split(":")[0]))]
        if state["users"]:
            _write_state(state_path, state)
            return
        state_path.unlink()
        _stop(_Detached(int(state["pid"])))


class _Detached:
    """The few ``Popen`` methods ``_stop`` and ``_wait_ready`` use, for a process that is not our child."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def poll(self) -> int | None:
        return None if _alive(self.pid) else 0

    def terminate(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while _alive(self.pid):
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.05)
        return 0


_Process = subprocess.Popen[bytes] | _Detached


def _wait_ready(proc: _Process, host: str, port: int, timeout: float, tls: bool) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _answers_http(host, port, tls):
            return True
        time.sleep(0.1)
    return False


def _stop(proc: _Process) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def run_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary directory of this pytest run, shared by all its pytest-xdist workers.

    Under xdist each worker's base temporary directory is ``<run>/popen-gwN``; the run's is their parent.

    Example:
        >>> run_directory(tmp_path_factory)  # doctest: +SKIP
        PosixPath('/tmp/pytest-of-me/pytest-42')
    """
    basetemp = tmp_path_factory.getbasetemp()
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AzuriteBlob]:
    """Session fixture: a running Azurite blob service (installed on first use when missing).

    One service serves the whole run: every pytest-xdist worker and every test folder importing this
    fixture share it (:func:`shared_azurite`), each worker with its own ``ibstaging`` and ``userstore``
    accounts. Set ``AZIMAGEBUILDER_AZURITE`` to an ``azurite-blob`` path to use your own install.
    """
    try:
        exe = find_azurite_blob()
    except AzuriteNotAvailableError as exc:
        pytest.fail(f"Azurite is needed for the storage tests: {exc}", pytrace=False)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0") or 0)
    workers = [f"gw{i}" for i in range(count)] if worker else [""]
    state_dir = run_directory(tmp_path_factory)
    with shared_azurite(state_dir, worker=worker, workers=workers, executable=exe) as blob:
        yield blob
