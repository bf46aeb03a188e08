"""Go's `strconv.Atoi` on a 64-bit platform: how Argo CD and gitops-engine read every number written as
text (a sync-wave, a hook weight, `ARGOCD_SYNC_WAVE_DELAY`). An optional sign and ASCII digits only, no
blanks, within int64; anything else is Go's error, which each caller answers in its own way."""

from __future__ import annotations

import re

_ATOI = re.compile(r"[+-]?[0-9]+\Z")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def go_atoi(text: object) -> int | None:
    """The int, or None where Go returns an error (and for a value that is not text at all)."""
    if not isinstance(text, str) or not _ATOI.match(text):
        return None
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else None
