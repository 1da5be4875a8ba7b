"""The order a parallel run takes its tests in (tests/conftest.py's ``pytest_collection_modifyitems``).

pytest-xdist hands each worker a run of consecutive tests to start with (a quarter of its share), then
more, in order, as it finishes. So the order decides what overlaps what:

- the tests that need Azurite go last, so that a clean clone's first run installs it (``npm install``)
  while the others run, instead of holding workers waiting;
- the slow ones that spend their seconds computing (``slow(cpu=True)``: the type checkers) go first, so
  their CPU fills what the waiting tests leave idle at the start of the run;
- the other slow ones (seconds spent waiting on processes and emulated builds) are spread evenly over the
  first half of the rest: every worker starts some early, and their waits overlap the other tests, instead
  of piling up on one worker or at the end of the run.

The order is otherwise kept, so the tests of a module stay together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def run_order(
    items: Sequence[T],
    *,
    slow: Callable[[T], bool],
    last: Callable[[T], bool],
    first: Callable[[T], bool] = lambda item: False,
) -> list[T]:
    """``items`` reordered: ``first`` ones at the start, ``last`` ones at the end, ``slow`` ones spread over
    the first half of the rest.

    >>> run_order(list("aSbcdeXf"), slow=str.isupper, last=lambda c: c == "X")
    ['S', 'a', 'b', 'c', 'd', 'e', 'f', 'X']
    >>> run_order(list("abcF"), slow=str.isupper, last=lambda c: False, first=lambda c: c == "F")
    ['F', 'a', 'b', 'c']
    """
    front = [item for item in items if first(item)]
    if front:
        rest = [item for item in items if not first(item)]
        return front + run_order(rest, slow=slow, last=last)
    tail = [item for item in items if last(item)]
    head = [item for item in items if not last(item)]
    early = [item for item in head if slow(item)]
    rest = [item for item in head if not slow(item)]
    if not early:
        return head + tail
    step = max(1, len(rest) // (2 * len(early)))
    ordered: list[T] = []
    pending = list(early)
    for index, item in enumerate(rest):
        if pending and index % step == 0:
            ordered.append(pending.pop(0))
        ordered.append(item)
    return ordered + pending + tail
