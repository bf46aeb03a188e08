"""The two errors of the template engine, with Go's exact texts as `message`."""

from __future__ import annotations

from wavecd.core.errors import Location, WavecdError


class TemplateParseError(WavecdError):
    """A template did not parse: `message` is Go's `template: NAME:LINE: msg`."""


class TemplateExecError(WavecdError):
    """Executing a template failed.

    `message` is Go's full text (`template: FILE:LINE:COL: executing "TMPL" at <NODE>: msg`, or a shorter
    form when no node is involved). The parts are kept too, because Helm v4 prints them on separate lines:
    `file`, `line`, `col` (0-based byte column), `template` (the template being executed), `node` (the
    node's source text), `detail` (the `msg` part) and `cause` (the error a function raised, if any).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
        template: str | None = None,
        node: str | None = None,
        detail: str | None = None,
        cause: BaseException | None = None,
    ):
        location = Location(file=file, line=line, column=col) if file is not None else None
        super().__init__(message, location=location)
        self.file = file
        self.line = line
        self.col = col
        self.template = template
        self.node = node
        self.detail = detail if detail is not None else message
        self.cause = cause
