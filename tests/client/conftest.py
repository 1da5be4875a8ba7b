"""Fixtures for the client tests: a scripted transport and a client on it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # client_support, the scripted transport
