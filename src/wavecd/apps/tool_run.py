"""An outside program run for a render (kustomize, a config management plugin, the go-jsonnet child):
bounded in time, output and memory.

The program reads untrusted repository content, so it runs in its own process group, is killed with the
whole group when it runs past its time limit, and its output is read in pieces and abandoned (the group
killed) past a size limit, so the program cannot keep wavecd waiting past its time limit nor grow wavecd's
memory with its output. On Linux its address space is capped as well (`RLIMIT_AS`, 4 GiB by default,
`WAVECD_TOOL_MEMORY_MB` to change, 0 for none), set with `prlimit` right after the start: `preexec_fn`
is not safe while other threads render. Elsewhere there is no memory cap. What wavecd does around the
program (discovery globs, reading its output) has limits of its own. A failure names the command as
Argo CD's `exec.Run` does (`` `<args>` failed <cause>: <stderr> ``) and keeps stderr's tail.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from wavecd.apps.errors import AppError

__all__ = ["DEFAULT_OUTPUT_LIMIT", "DEFAULT_TIMEOUT", "MEMORY_ENV", "ToolFailed", "ToolTimeout", "run_tool"]

# Argo CD's `ARGOCD_EXEC_TIMEOUT` default, and the repo-server's gRPC reply limit (`ARGOCD_GRPC_MAX_SIZE_MB`).
DEFAULT_TIMEOUT = 90.0
DEFAULT_OUTPUT_LIMIT = 100 * 1024 * 1024
_STDERR_LIMIT = 64 * 1024
MEMORY_ENV = "WAVECD_TOOL_MEMORY_MB"
_DEFAULT_MEMORY_MB = 4096
_CHUNK = 1 << 16


class ToolFailed(AppError):
    """The program exited non-zero, or printed more than the output limit."""


class ToolTimeout(ToolFailed):
    """The program ran past its time limit: depends on the machine, so a render cache must not keep it."""


def _drain(stream: IO[bytes], sink: bytearray, limit: int, over: threading.Event, keep_tail: bool) -> None:
    """Read `stream` to its end into `sink`: past `limit` bytes set `over` (stdout) or keep only the tail."""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return
        sink.extend(chunk)
        if len(sink) > limit:
            if keep_tail:
                del sink[: len(sink) - limit]
            else:
                over.set()
                return


def _memory_limit() -> int:
    """The address-space cap in bytes (0: none), from `WAVECD_TOOL_MEMORY_MB` or the default."""
    text = os.environ.get(MEMORY_ENV, "").strip()
    if not text:
        return _DEFAULT_MEMORY_MB << 20
    if not text.isdigit():
        raise AppError(f"{MEMORY_ENV}={text!r}: expected a whole number of megabytes (0 for no limit)")
    return int(text) << 20


def _cap_memory(pid: int, limit: int) -> None:
    """Cap the running child's address space, where the platform allows it (Linux's `prlimit`)."""
    if limit and hasattr(resource, "prlimit"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def run_tool(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = DEFAULT_TIMEOUT,
    output_limit: int = DEFAULT_OUTPUT_LIMIT,
    stdin: bytes | None = None,
    hide: Path | None = None,
) -> str:
    """`argv`'s stdout (UTF-8, undecodable bytes replaced); raises ToolFailed or ToolTimeout. `hide` is a
    temporary folder shown as `.` in the error (Argo CD shows paths relative to the repository)."""
    shown = shlex.join(argv)
    try:
        return _run(argv, shown, cwd, env, timeout, output_limit, stdin)
    except ToolFailed as err:
        if hide is not None:
            err.message = err.message.replace(str(hide), ".")
        raise


def _run(
    argv: Sequence[str],
    shown: str,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    output_limit: int,
    stdin: bytes | None,
) -> str:
    limit = _memory_limit()
    try:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as err:
        raise ToolFailed(f"`{shown}` failed: {err.strerror or err}") from None
    _cap_memory(process.pid, limit)
    assert process.stdout is not None and process.stderr is not None
    out, err_text = bytearray(), bytearray()
    over = threading.Event()
    readers = [
        threading.Thread(target=_drain, args=(process.stdout, out, output_limit, over, False), daemon=True),
        threading.Thread(
            target=_drain, args=(process.stderr, err_text, _STDERR_LIMIT, threading.Event(), True), daemon=True
        ),
    ]
    for reader in readers:
        reader.start()
    if stdin is not None and process.stdin is not None:
        try:
            process.stdin.write(stdin)
            process.stdin.close()
        except BrokenPipeError:
            pass
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                process.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                if over.is_set():
                    _kill(process)
                elif time.monotonic() > deadline:
                    _kill(process)
                    process.wait()
                    raise ToolTimeout(f"`{shown}` failed timeout after {timeout:g}s") from None
    finally:
        if process.poll() is None:
            _kill(process)
            process.wait()
        _kill(process)  # anything the program left running in its group
        for reader in readers:
            reader.join(timeout=5)
        process.stdout.close()
        process.stderr.close()
    if over.is_set():
        raise ToolFailed(f"`{shown}` failed: its output passed the limit of {output_limit} bytes")
    if process.returncode != 0:
        stderr = err_text.decode("utf-8", "replace").strip()
        cause = f"exit status {process.returncode}" if process.returncode > 0 else f"signal: {-process.returncode}"
        raise ToolFailed(f"`{shown}` failed {cause}: {stderr}")
    return out.decode("utf-8", "replace")
