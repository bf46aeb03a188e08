"""The informational lines Helm writes to stderr, in each version's format.

Helm 3 uses Go's `log.Printf` with the source position (`coalesce.go:237: warning: …`); Helm 4 routes the
same messages through slog's text handler (`level=INFO msg="warning: …"`), and logs its own warnings as
`level=WARN msg="…" key=value`. Lines are collected in a list the CLI prints to stderr.
"""

from __future__ import annotations

from wavecd.core.goquote import quote, slog_text_value


class HelmLog:
    """Collects Helm's stderr info lines for one run."""

    def __init__(self, helm_major: int, lines: list[str]):
        self.helm_major = helm_major
        self.lines = lines

    def printf(self, go_position: str, message: str) -> None:
        """A `log.Printf` of Helm's code at `go_position` (file:line in v3.17.2)."""
        if self.helm_major >= 4:
            self.lines.append(f"level=INFO msg={quote(message)}")
        else:
            self.lines.append(f"{go_position}: {message}")

    def warn(self, v3: tuple[str, str], msg: str, **attrs: str) -> None:
        """A warning: v3 `log.Printf(v3[1])` at v3[0]; v4 `slog.Warn(msg, attrs…)`."""
        self._slog("WARN", v3, msg, attrs)

    def info(self, v3: tuple[str, str], msg: str, **attrs: str) -> None:
        """An info line: v3 `log.Printf(v3[1])` at v3[0]; v4 `slog.Info(msg, attrs…)`."""
        self._slog("INFO", v3, msg, attrs)

    def _slog(self, level: str, v3: tuple[str, str], msg: str, attrs: dict[str, str]) -> None:
        if self.helm_major >= 4:
            extra = "".join(f" {k}={slog_text_value(v)}" for k, v in attrs.items())
            self.lines.append(f"level={level} msg={slog_text_value(msg)}{extra}")
        else:
            self.lines.append(f"{v3[0]}: {v3[1]}")
