"""A desired and a live manifest compared as people read them: a unified diff of their YAML.

The inputs are expected masked already (`wavecd.diff.secrets`); this module only lays them out, live first,
as `argocd app diff` and `kubectl diff` do, so a `+` line is what a sync would write.
"""

from __future__ import annotations

import difflib
from typing import Any

from wavecd.goyaml import to_yaml

__all__ = ["manifest_diff"]


def manifest_diff(
    target: dict[str, Any] | None,
    live: dict[str, Any] | None,
    label: str,
    sides: tuple[str, str] = ("live", "target"),
) -> str:
    """The unified diff from `live` to `target` (an absent side is empty), headed `<sides[0]>/<label>` and
    `<sides[1]>/<label>`; the empty string when they are equal. Two revisions compared (`wavecd diff
    --from`) are headed `a/` and `b/`, as git heads them."""
    before = to_yaml(live).splitlines(keepends=True) if live is not None else []
    after = to_yaml(target).splitlines(keepends=True) if target is not None else []
    return "".join(difflib.unified_diff(before, after, f"{sides[0]}/{label}", f"{sides[1]}/{label}"))
