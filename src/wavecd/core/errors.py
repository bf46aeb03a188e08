"""One error family for the whole project.

Every error a user can cause derives from `WavecdError`, so the CLI can catch one type and print a clear
message instead of a traceback. Errors caused by input carry a `Location` that says where.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a problem is: any subset of repo, revision, app, file, line and column (1-based line)."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    app: str | None = None
    repo: str | None = None
    revision: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.app:
            parts.append(f"app {self.app}")
        if self.repo:
            parts.append(self.repo + (f"@{self.revision}" if self.revision else ""))
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        return ", ".join(parts)


class WavecdError(Exception):
    """Base of every error wavecd reports to a user.

    `message` is the text to print first (verbatim when it reproduces another tool's text, such as helm's);
    `context` lines follow it, adding wavecd's own information.
    """

    exit_code = 1

    def __init__(self, message: str, *, location: Location | None = None, context: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.context = list(context or [])

    def render(self) -> str:
        lines = [self.message]
        if self.location is not None and str(self.location):
            lines.append(f"  at {self.location}")
        lines.extend(f"  {c}" for c in self.context)
        return "\n".join(lines)


class UserInputError(WavecdError):
    """Bad input from the user (flags, files, repositories): exit status 2 where commands distinguish it."""

    exit_code = 2


def internal_error(err: BaseException) -> str:
    """How a wavecd bug is worded wherever it must end in a message rather than a traceback: the tree (a
    node's error), the sync engine and its summary guard (the summary's message), the CLI. One wording, so a
    user reporting it quotes the same text whichever path met it."""
    return f"internal error: {type(err).__name__}: {err} (please report this wavecd bug)"
