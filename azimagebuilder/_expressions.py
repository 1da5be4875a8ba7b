"""ARM template expressions (``"[parameters('x')]"``): told apart from plain strings, nothing more.

A leaf module (standard library only), so the models, the rule engine and the loaders share one answer
without importing each other.

Example:
    >>> is_arm_expression("[parameters('location')]"), is_arm_expression("[[literal]")
    (True, False)
"""

from __future__ import annotations

import re

_ARM_EXPRESSION = re.compile(r"^\s*\[(?!\[).*\]\s*$", re.DOTALL)


def is_arm_expression(value: object) -> bool:
    """True for an ARM template expression such as ``"[parameters('x')]"`` (``"[["`` escapes a literal).

    Example:
        >>> is_arm_expression("[concat('a', 'b')]"), is_arm_expression("westus2")
        (True, False)
    """
    return isinstance(value, str) and _ARM_EXPRESSION.match(value) is not None
