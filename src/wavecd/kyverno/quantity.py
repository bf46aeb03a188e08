"""Kubernetes resource quantities (apimachinery `resource.ParseQuantity`), the operands Kyverno compares when a
pattern or condition holds `128Mi`, `500m` or `1e3`. Values are exact fractions, so `1Gi` equals `1024Mi`."""

from __future__ import annotations

import re
from fractions import Fraction

__all__ = ["parse_quantity"]

_QUANTITY = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?")
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


def parse_quantity(text: str) -> Fraction | None:
    """The value of `text` as a quantity, or None when apimachinery would refuse it."""
    match = _QUANTITY.fullmatch(text)
    if match is None:
        return None
    sign, whole, fraction, suffix = match.groups()
    if not whole and not fraction:
        return None
    digits = whole + (fraction or "")
    value = Fraction(int(digits), 10 ** len(fraction or ""))
    if suffix in _BINARY:
        value *= 1024 ** _BINARY[suffix]
    elif suffix in _DECIMAL:
        value *= Fraction(10) ** _DECIMAL[suffix]
    elif suffix:
        value *= Fraction(10) ** int(suffix[1:])
    return -value if sign == "-" else value
