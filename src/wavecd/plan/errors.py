"""The plan's one error: a manifest whose shape no sync could carry out."""

from __future__ import annotations

from wavecd.core import WavecdError


class PlanError(WavecdError):
    """A manifest the planner cannot order (not a mapping, annotations that are not strings, …)."""
