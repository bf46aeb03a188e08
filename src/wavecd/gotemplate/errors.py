"""The two errors of the template engine, with Go's exact texts as `message`, and how to tell a wavecd
bug inside a function from an error the template's Go code would give."""

from __future__ import annotations

from wavecd.core.errors import Location, WavecdError
from wavecd.gotemplate.funcs import GoFuncError


class TemplateParseError(WavecdError):
    """A template did not parse: `message` is Go's `template: NAME:LINE: msg`."""


class ChainedText:
    """An error whose text is its own `head` followed by the text of the error it wraps (`tail`).

    Go formats each wrapping error's text at once, so an `include` cycle (every level's text holds every
    inner level's) makes Helm keep text that grows with the square of the depth: 6.5 GB for a cycle over 8
    names. wavecd keeps each level's own part and joins the chain only when the text is read, once, at the
    top: the same text in memory that grows with the depth. Nothing below the top may read `message`.
    """

    head: str
    tail: ChainedText | None = None

    @property
    def message(self) -> str:
        parts: list[str] = []
        link: ChainedText | None = self
        while link is not None:  # a loop, not recursion: chains are thousands of links long
            parts.append(link.head)
            link = link.tail
        return "".join(parts)

    @message.setter
    def message(self, text: str) -> None:
        self.head = text
        self.tail = None

    def __str__(self) -> str:
        return self.message


class TemplateExecError(ChainedText, WavecdError):
    """Executing a template failed.

    `message` is Go's full text (`template: FILE:LINE:COL: executing "TMPL" at <NODE>: msg`, or a shorter
    form when no node is involved). The parts are kept too, because Helm v4 prints them on separate lines:
    `file`, `line`, `col` (0-based byte column), `template` (the template being executed), `node` (the
    node's source text), `detail` (the `msg` part) and `cause` (the error a function raised, if any).
    When the cause is a nested template's error (`include`'s), its text is the `tail` of this one's.
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
        tail: ChainedText | None = None,
    ):
        location = Location(file=file, line=line, column=col) if file is not None else None
        super().__init__(message, location=location)
        self.tail = tail
        self.file = file
        self.line = line
        self.col = col
        self.template = template
        self.node = node
        self.detail_head = detail if detail is not None else message
        self.cause = cause

    @property
    def detail(self) -> str:
        return self.detail_head if self.tail is None else self.detail_head + self.tail.message


class NestedTemplateError(ChainedText, GoFuncError):
    """A function's error that is a nested template's error after a `prefix` (Helm's `include` returns it
    as it is, `tpl` after `error during tpl function execution for …`): its text is joined only when read."""

    def __init__(self, prefix: str, error: TemplateExecError):
        super().__init__(prefix)
        self.head = prefix
        self.tail = error


def wavecd_bug(err: BaseException) -> BaseException | None:
    """The exception under a template error that no Go code would raise, or None.

    text/template turns whatever a function raises into `error calling NAME: …` (Go's safeCall recovers
    panics), so a bug in one of wavecd's functions would read as the template's own error. What Go can
    fail with is modelled by wavecd's error family (the marshallers' and parsers' errors, template
    errors), GoFuncError (a function's returned error or panic) and RecursionError (Go's stack limit).
    The search follows only the engine's own wrapping (a TemplateExecError's `cause`, and `include`'s and
    `tpl`'s error raised from the TemplateExecError they caught); a caller that finds a bug re-raises it,
    to be reported as a wavecd internal error rather than as the template's error or its output.
    """
    current: BaseException | None = err
    while current is not None:
        if not isinstance(current, WavecdError | GoFuncError | RecursionError):
            return current
        if isinstance(current, TemplateExecError):
            current = current.cause
        elif isinstance(current.__cause__, TemplateExecError):
            current = current.__cause__
        else:
            return None
    return None


class StackExhausted(WavecdError):
    """Templates nested deeper than wavecd lets them: where Go's runtime ends the process (its stack is
    limited to 1 GB), with the text it prints. `exit_code` is that of Go's fatal errors."""

    exit_code = 2
    GO_TEXT = "runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow"

    def __init__(self, why: str = "templates nested too deeply"):
        super().__init__(self.GO_TEXT, context=[f"({why}: wavecd stops here instead of exhausting memory)"])


class TimeLimitExceeded(WavecdError):
    """An execution ran past the time limit its caller set (`runtime.time_limit`)."""

    def __init__(self) -> None:
        super().__init__("template execution exceeded its time limit")


class ExecutionStopped(BaseException):
    """Ends a whole execution at once, carrying the `error` to report: a limit on work was reached.

    Go has no error value for these (its runtime kills the process), so no `error calling` wrapper may
    turn them into a function's error. A BaseException passes through every `except Exception` of the
    function tables; the code that started the execution catches it and raises `error`."""

    def __init__(self, error: WavecdError):
        super().__init__(error.message)
        self.error = error
