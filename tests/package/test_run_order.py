"""The suite's parallel run order (tests/run_order.py): Azurite's tests last, slow ones spread early."""

from __future__ import annotations

import pytest
from run_order import run_order


def _order(n: int, slow: set[int], last: set[int]) -> list[int]:
    return run_order(list(range(n)), slow=slow.__contains__, last=last.__contains__)


@pytest.mark.parametrize(
    ("n", "slow", "last"),
    [
        (10, set(), set()),
        (10, {3}, {0, 9}),
        (100, {95, 96, 97, 98, 99}, {1, 2}),
        (7, {0, 1, 2, 3, 4, 5, 6}, set()),
        (2080, set(range(1500, 1520)), set(range(1900, 2080))),
    ],
)
def test_every_test_runs_once_and_only_slow_ones_move(n: int, slow: set[int], last: set[int]) -> None:
    ordered = _order(n, slow, last)
    assert sorted(ordered) == list(range(n))
    kept = [i for i in ordered if i not in slow and i not in last]
    assert kept == sorted(kept)  # the others keep their order (a module's tests stay together)
    tail = ordered[len(ordered) - len(last) :] if last else []
    assert tail == sorted(last)  # Azurite's tests at the end, in their order


def test_slow_tests_are_spread_over_the_first_half() -> None:
    slow = set(range(1500, 1520))  # 20 slow tests that sit together, late in the collection
    ordered = _order(2080, slow, set(range(1900, 2080)))
    positions = [ordered.index(i) for i in sorted(slow)]
    head = 1900
    assert max(positions) < head // 2 + 2 * head // len(slow)
    # pytest-xdist starts each of 4 workers on 2080 // 4 // 4 = 130 consecutive tests: each gets slow ones
    chunk = 2080 // 4 // 4
    first_chunks = [sum(1 for p in positions if k * chunk <= p < (k + 1) * chunk) for k in range(4)]
    assert all(count >= 2 for count in first_chunks), first_chunks


def test_the_computing_slow_tests_come_first_in_their_order() -> None:
    ordered = run_order(
        list(range(50)), slow={10, 20, 30}.__contains__, last={49}.__contains__, first={30, 40}.__contains__
    )
    assert ordered[:2] == [30, 40]
    assert sorted(ordered) == list(range(50))
    assert ordered[-1] == 49


def test_this_runs_computing_tests_first(request: pytest.FixtureRequest) -> None:
    items = request.session.items
    computing = [
        item
        for item in items
        if (marker := item.get_closest_marker("slow")) is not None and marker.kwargs.get("cpu")
    ]
    assert items[: len(computing)] == computing


def test_the_slow_marker_is_declared(pytestconfig: pytest.Config) -> None:
    markers = pytestconfig.getini("markers")
    assert any(line.startswith("slow:") for line in markers)
