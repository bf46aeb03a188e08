"""Errors of the app tree: a bad Application, a root that cannot be found, a source that cannot render."""

from wavecd.core import UserInputError, WavecdError


class AppError(WavecdError):
    """One Application could not be rendered; the tree records it on the node and carries on."""


class AppSpecError(UserInputError):
    """An Application or ApplicationSet whose spec Argo CD would reject; says which file and field."""
