"""Fault injection for resilience tests: throttling, server errors and dropped connections, per route.

A :class:`FaultRule` says which requests it may hit (route name glob and method), what happens
(``429``, ``500``, ``503``, ``504`` or ``"drop"``), how often (``rate`` from 0 to 1, or the first ``times``
matching requests) and whether the fault hides a request that was carried out (``after=True``: the
change happens but the answer is lost, as when a gateway times out) or stops it before it arrives.
Draws come from one ``random.Random(seed)``, so a sequential test sees the same faults on every run.

Route names: ``imageTemplates.put``, ``imageTemplates.get``, ``imageTemplates.patch``,
``imageTemplates.delete``, ``imageTemplates.list``, ``imageTemplates.listByResourceGroup``,
``imageTemplates.run``, ``imageTemplates.cancel``, ``runOutputs.get``, ``runOutputs.list``,
``operations.get``, ``operations.list`` (other providers document theirs).

Example:
    >>> plan = FaultPlan([FaultRule("imageTemplates.get", 500, times=1)], seed=7)
    >>> plan.draw("imageTemplates.get", "GET").status
    500
    >>> plan.draw("imageTemplates.get", "GET") is None
    True
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from ._router import ArmError

__all__ = ["FaultKind", "FaultPlan", "FaultRule", "fault_error", "parse_fault"]

FaultKind = Literal[429, 500, 503, 504, "drop"]
_KINDS: tuple[object, ...] = (429, 500, 503, 504, "drop")


@dataclass
class FaultRule:
    """One kind of fault on the routes whose name matches ``route`` (a glob; ``*`` for all).

    Attributes:
        route: route-name glob such as ``"imageTemplates.*"``.
        status: 429, 500, 503, 504, or ``"drop"`` (the connection is closed without an answer).
        rate: probability per matching request, 0..1 (ignored while ``times`` is not used up).
        times: when set, hit exactly the first ``times`` matching requests, then never again.
        method: only requests with this HTTP method (None: any).
        retry_after: seconds in the ``Retry-After`` header of a 429 (and 503); ``None`` sends no header
            (ARM throttling does not always say how long to wait).
        after: carry the request out, then lose the answer.
    """

    route: str = "*"
    status: FaultKind = 500
    rate: float = 1.0
    times: int | None = None
    method: str | None = None
    retry_after: int | None = 1
    after: bool = False
    hits: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.status not in _KINDS:
            raise ValueError(f"fault status must be one of 429, 500, 503, 504, 'drop', not {self.status!r}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, not {self.rate}")

    def applies(self, route_name: str, method: str) -> bool:
        """Whether this rule may hit a request to ``route_name`` with ``method``."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(route_name, self.route)


class FaultPlan:
    """The rules in force and a seeded random source; safe to change while the emulator serves."""

    def __init__(self, rules: Iterable[FaultRule] = (), *, seed: int | None = 0) -> None:
        self._rules = list(rules)
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.injected = 0

    @property
    def rules(self) -> list[FaultRule]:
        """The rules, in the order they are tried."""
        with self._lock:
            return list(self._rules)

    def add(self, rule: FaultRule) -> FaultRule:
        """Add a rule; returns it (its ``hits`` counts the faults it caused)."""
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def draw(self, route_name: str, method: str) -> FaultRule | None:
        """The rule that hits this request, or None. Each call consumes random draws deterministically."""
        with self._lock:
            for rule in self._rules:
                if not rule.applies(route_name, method):
                    continue
                # A counted rule hits its first `times` requests; a rate rule draws from the seeded source.
                hit = rule.hits < rule.times if rule.times is not None else self._random.random() < rule.rate
                if hit:
                    rule.hits += 1
                    self.injected += 1
                    return rule
            return None


_MESSAGES: dict[int, tuple[str, str]] = {
    429: (
        "TooManyRequests",
        "The request is being throttled as the limit has been reached for operation type. "
        "Please retry after the number of seconds in the Retry-After header.",
    ),
    500: ("InternalServerError", "Encountered internal server error. Please try again later."),
    503: ("ServiceUnavailable", "The service is currently unavailable. Please try again later."),
    504: (
        "GatewayTimeout",
        "The gateway did not receive a response from 'Microsoft.VirtualMachineImages' within the "
        "specified time period.",
    ),
}


def fault_error(rule: FaultRule) -> ArmError:
    """The ARM error a status rule answers with."""
    assert rule.status != "drop"
    code, message = _MESSAGES[int(rule.status)]
    headers = {}
    if rule.status in (429, 503) and rule.retry_after is not None:
        headers["Retry-After"] = str(rule.retry_after)
    if rule.status == 504:
        headers["x-ms-failure-cause"] = "gateway"
    return ArmError(int(rule.status), code, message, headers=headers)


def parse_fault(spec: str) -> FaultRule:
    """Parse ``ROUTE=KIND[@RATE][xTIMES][+after][+noretryafter]`` as the command line takes it.

    Example:
        >>> rule = parse_fault("imageTemplates.get=500@0.1")
        >>> rule.route, rule.status, rule.rate
        ('imageTemplates.get', 500, 0.1)
        >>> parse_fault("*=429x2").times
        2
    """
    route, sep, rest = spec.partition("=")
    if not sep or not route:
        raise ValueError(
            f"fault {spec!r}: expected ROUTE=KIND[@RATE][xTIMES][+after][+noretryafter], "
            "e.g. imageTemplates.get=500@0.1"
        )
    no_retry_after = rest.endswith("+noretryafter")
    if no_retry_after:
        rest = rest[: -len("+noretryafter")]
    after = rest.endswith("+after")
    if after:
        rest = rest[: -len("+after")]
    times: int | None = None
    if "x" in rest:
        rest, _, count = rest.partition("x")
        times = int(count)
    rate = 1.0
    if "@" in rest:
        rest, _, rate_text = rest.partition("@")
        rate = float(rate_text)
    kind: FaultKind
    if rest == "drop":
        kind = "drop"
    elif rest in {"429", "500", "503", "504"}:
        kind = int(rest)  # type: ignore[assignment]
    else:
        raise ValueError(f"fault {spec!r}: kind must be 429, 500, 503, 504 or drop")
    retry_after = None if no_retry_after else 1
    return FaultRule(route=route, status=kind, rate=rate, times=times, after=after, retry_after=retry_after)
