"""Errors carrying the exact texts Go's YAML, JSON and TOML libraries produce, as Helm prints them."""

from __future__ import annotations

from typing import Any

from wavecd.core.errors import Location, WavecdError


class GoYamlError(WavecdError):
    """A YAML text could not be read or a value could not be written, with sigs.k8s.io/yaml's message.

    `line` is the 1-based line go-yaml names in the message (None when it names none).
    """

    def __init__(self, message: str, *, line: int | None = None, source: str | None = None):
        location = Location(file=source, line=line) if source is not None or line is not None else None
        super().__init__(message, location=location)
        self.line = line


class GoJsonError(WavecdError):
    """encoding/json refused a text or a value; `message` is Go's text (`invalid character ...`)."""

    # What Go decoded despite the error (a number that overflows float64 leaves the rest of the value).
    partial: Any = None


class GoTomlError(WavecdError):
    """BurntSushi/toml refused a text or a value; `message` is its text."""
