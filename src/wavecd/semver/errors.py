"""The one error type of the semver package; its message is Masterminds' text, which Helm prints as is."""

from __future__ import annotations

from wavecd.core.errors import WavecdError


class SemverError(WavecdError):
    """A version or constraint that Masterminds/semver rejects (`Invalid Semantic Version`, ...)."""
