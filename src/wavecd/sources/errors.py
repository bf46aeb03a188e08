"""Errors about sources: unreachable repositories, unknown revisions, missing charts."""

from wavecd.core import WavecdError


class SourceError(WavecdError):
    """A source could not be fetched or resolved; the message names the repository and revision."""
