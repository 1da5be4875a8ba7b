"""pytest's configuration (pyproject.toml) blocks every connection but loopback: CI cannot reach Azure."""

from __future__ import annotations

import socket

import pytest


def test_a_connection_beyond_loopback_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        with pytest.raises(RuntimeError, match="Network is disabled"):
            sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed, so nothing is sent anyway


@pytest.mark.parametrize("host", ["localhost.example.com", "127.0.0.10"])
def test_allowed_hosts_are_anchored(host: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        with pytest.raises(RuntimeError, match="Network is disabled"):
            sock.connect((host, 443))


def test_loopback_stays_open_for_the_emulator_and_azurite() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
