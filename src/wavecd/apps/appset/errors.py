"""The error raised when an ApplicationSet cannot be expanded."""

from wavecd.core import WavecdError


class AppSetError(WavecdError):
    """An ApplicationSet that Argo CD's controller would refuse; the message is the controller's text."""
