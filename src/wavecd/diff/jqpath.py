"""`ignoreDifferences.jqPathExpressions` evaluated as Argo CD evaluates them: full jq, as `del(<expr>)`, within
Argo CD's time limit.

Argo CD compiles `del(<expr>)` with gojq and runs it on the object with a 1 s deadline
(`controller.ignore.normalizer.jq.timeout`); the result must be exactly one value. wavecd counts that second
as the jq process's CPU time, so that a loaded machine does not turn a trivial patch into a timeout.
wavecd runs the same program with libjq (the `jq` package) in a child process (`wavecd.diff.jqworker`),
started on first use and shared by the whole run: libjq has no way to stop an evaluation, and a pull
request's expression may never end, so the deadline is kept by killing that process (the next expression
starts a fresh one). A thread could not be stopped, and a process per expression would cost its start-up
for every object.

A failing patch raises `JqError` with Argo CD's own text (`JQ patch execution timed out (1s)`, `JQ patch
returned error: …`, `JQ patch did not return any data`, `JQ patch returned multiple objects`); Argo CD
skips such a patch and so does the caller.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import select
import subprocess
import sys
import threading
import time
from typing import Any

__all__ = ["MAX_EXPRESSION", "TIMEOUT", "JqError", "compile_error", "delete"]

TIMEOUT = 1.0  # seconds, Argo CD's DefaultJQExecutionTimeout
MAX_EXPRESSION = 16 * 1024  # characters: an expression is a line of an Application, not a program
_START_TIMEOUT = 30.0  # seconds for the child to import jq, on a loaded machine
_WALL_LIMIT = 30.0  # seconds of clock a patch may take however little CPU it gets


class JqError(ValueError):
    """A jq patch that Argo CD would skip, with Argo CD's message."""


class _Worker:
    """The jq child process: one request at a time, each answered within a deadline or the process killed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._buffer = b""

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """The child's answer, or None when `timeout` seconds passed first (the child is then killed)."""
        with self._lock:
            process = self._process or self._start()
            assert process.stdin is not None
            try:
                line = json.dumps(request).encode() + b"\n"
            except (TypeError, ValueError) as err:  # a value JSON has no form for
                raise JqError(f"JQ patch returned error: {err}") from None
            try:
                process.stdin.write(line)
                process.stdin.flush()
            except BrokenPipeError:
                self._stop()
                raise JqError("JQ patch returned error: the jq process ended") from None
            reply = self._answer(timeout)
            if reply is None:
                self._stop()
                return None
            answer: dict[str, Any] = json.loads(reply)
            return answer

    def _start(self) -> subprocess.Popen[bytes]:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "wavecd.diff.jqworker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._buffer = b""
        if self._line(time.monotonic() + _START_TIMEOUT) != b"ready":
            self._stop()
            raise JqError("JQ patch returned error: the jq process did not start")
        return self._process

    def _answer(self, timeout: float) -> bytes | None:
        """The answer line once the child has spent at most `timeout` seconds of CPU on it; None past that.

        The limit counts the child's CPU, not the clock: on a machine loaded by other jobs a trivial patch can
        wait longer than a second for a core, and skipping it then would show fields Argo CD hides. Where the
        CPU cannot be read (no /proc), or past `_WALL_LIMIT`, the clock decides.
        """
        assert self._process is not None
        started, cpu_before = time.monotonic(), _cpu_seconds(self._process.pid)
        deadline = started + timeout
        while True:
            line = self._line(deadline)
            if line is not None:
                return line
            cpu_now = _cpu_seconds(self._process.pid)
            if cpu_before is None or cpu_now is None or time.monotonic() - started > _WALL_LIMIT:
                return None
            spent = cpu_now - cpu_before
            if spent >= timeout:
                return None
            deadline = time.monotonic() + (timeout - spent)

    def _line(self, deadline: float) -> bytes | None:
        """The child's next output line; None at the deadline; JqError if the child ended (out of memory)."""
        assert self._process is not None and self._process.stdout is not None
        fd = self._process.stdout.fileno()
        poller = select.poll()  # not select.select: a server's descriptors may number past FD_SETSIZE
        poller.register(fd, select.POLLIN)
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                self._stop()
                raise JqError("JQ patch returned error: the jq process ended (out of memory?)")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            for pipe in (self._process.stdin, self._process.stdout):
                if pipe is not None:
                    pipe.close()
            self._process = None

    def close(self) -> None:
        with self._lock:
            self._stop()

    def forget(self) -> None:
        """In a forked child: the parent's jq process and lock are the parent's; start afresh on first use."""
        self._lock = threading.Lock()
        self._process = None
        self._buffer = b""


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU seconds of process `pid` so far (Linux /proc), None where they cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rpartition(b")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)


_WORKER = _Worker()
atexit.register(_WORKER.close)
os.register_at_fork(after_in_child=_WORKER.forget)


def _program(expression: str) -> str:
    if len(expression) > MAX_EXPRESSION:
        raise JqError(f"JQ patch returned error: the expression is longer than {MAX_EXPRESSION} characters")
    return f"del({expression})"


@functools.lru_cache(maxsize=1024)
def compile_error(expression: str) -> str | None:
    """Why `del(expression)` does not compile (libjq's first line), or None when it does."""
    try:
        answer = _WORKER.ask({"program": _program(expression)}, _START_TIMEOUT)
    except JqError as err:
        return str(err)
    if answer is None:
        return "jq did not compile it in time"
    error = answer.get("error")
    return str(error).splitlines()[0].rstrip(":") if error else None


def delete(doc: dict[str, Any], expression: str) -> dict[str, Any]:
    """`del(expression)` applied to `doc` (left as it is); JqError with Argo CD's text when the patch fails."""
    answer = _WORKER.ask({"program": _program(expression), "doc": doc}, TIMEOUT)
    if answer is None:
        raise JqError(f"JQ patch execution timed out ({TIMEOUT:g}s)")
    if "error" in answer:
        raise JqError(f"JQ patch returned error: {str(answer['error']).splitlines()[0]}")
    results = answer["results"]
    if not results:
        raise JqError("JQ patch did not return any data")
    if len(results) > 1:
        raise JqError("JQ patch returned multiple objects")
    if not isinstance(results[0], dict):
        raise JqError("JQ patch returned error: the result is not an object")
    return results[0]
