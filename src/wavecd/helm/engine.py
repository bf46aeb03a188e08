"""Helm's template engine (`pkg/engine`): one template set per chart tree, parsed in Helm's order, executed
file by file with each chart's scoped context.

Speed: parsing dominates a render, and charts rarely change between renders in one process, so the parsed
set is cached under a digest of (Helm version, every template name and text). A cached set is reused as
is; only execution runs again. `tpl` clones are cached per (set, text) for the same reason.
"""

from __future__ import annotations

import hashlib
import itertools
import posixpath
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from wavecd.core.errors import WavecdError
from wavecd.core.goquote import quote
from wavecd.gotemplate import runtime
from wavecd.gotemplate.errors import (
    ChainedText,
    ExecutionStopped,
    NestedTemplateError,
    StackExhausted,
    TimeLimitExceeded,
)
from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.helm import template_cache
from wavecd.helm.compat import HelmCompat
from wavecd.helm.errors import HelmCrash, RenderTimeLimitExceeded, exec_error_text, parse_error_text
from wavecd.helm.functions import RECURSION_MAX, helm_functions

NO_VALUE = "<no value>"
_SET_CACHE_SIZE = 64
_TPL_CACHE_SIZE = 2048
_RECURSION_LIMIT = 60000
# Helm bounds nested `include`s of one name (RECURSION_MAX) but not nested `tpl`s: a value that calls `tpl`
# on itself grows Helm until its stack (v4) or memory (v3) is exhausted and Go's runtime kills it. wavecd
# stops there with Go's text, at the depth Helm allows `include`.
TPL_DEPTH_MAX = RECURSION_MAX


@dataclass(slots=True)
class Renderable:
    """One template file: its text, the (shared, per-chart) context it runs with, and its BasePath."""

    text: str
    vals: dict[str, Any]
    base_path: str


@dataclass
class _SetState:
    """What the `include`/`tpl` closures of one parsed set share. The nesting counters belong to one render
    at a time (nested templates may run on helper threads), so renders of one set take `lock`."""

    included: dict[str, int] = field(default_factory=dict)
    tpl_depth: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    tpl_cache: OrderedDict[tuple[int, str], Any] = field(default_factory=OrderedDict)
    serials: Iterator[int] = field(default_factory=itertools.count)
    disk_key: str = ""
    # how many templates had compiled code when the set was last read from or written to the disk cache
    stored: int = 0


def parse_order(names: list[str]) -> list[str]:
    """sortTemplates: deepest paths first, ties by name descending (so parents' defines win)."""
    return sorted(names, key=lambda n: (n.count("/"), n), reverse=True)


_SETS: OrderedDict[str, tuple[Any, _SetState]] = OrderedDict()


def _digest(compat: HelmCompat, order: list[str], templates: dict[str, Renderable]) -> str:
    h = hashlib.sha256(f"helm {compat.version}".encode())  # the mode: its functions and Go version differ
    for name in order:
        h.update(b"\0" + name.encode("utf-8", "surrogateescape") + b"\0")
        h.update(templates[name].text.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


class _ErrorChain(Sequence[str]):
    """Texts of the error and of what it wraps, outermost first (Go's errors.Unwrap chain). Each text is
    built when it is read: in an `include` cycle every link's text holds all the inner ones, so holding
    them all would take memory that grows with the square of the depth."""

    def __init__(self, exc: BaseException):
        self._links: list[BaseException] = []
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            self._links.append(current)
            current = getattr(current, "cause", None) or current.__cause__

    def __len__(self) -> int:
        return len(self._links)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._text(link) for link in self._links[index]]
        return self._text(self._links[index])

    def start(self, index: int, size: int) -> str:
        """The first `size` characters of link `index`'s text, built from as few of its parts as give them."""
        link = self._links[index]
        if not isinstance(link, ChainedText):
            return self._text(link)[:size]
        parts: list[str] = []
        length = 0
        part: ChainedText | None = link
        while part is not None and length < size:
            parts.append(part.head)
            length += len(part.head)
            part = part.tail
        return "".join(parts)[:size]

    @staticmethod
    def _text(link: BaseException) -> str:
        return getattr(link, "message", None) or str(link)


def _bind(ts: Any, state: _SetState) -> None:
    """Give a set its own `include` and `tpl`, closing over it (as initFunMap and tplFun do)."""
    from wavecd.gotemplate import TemplateExecError, TemplateParseError

    serial = next(state.serials)

    def include(name: str, data: Any) -> str:
        included = state.included
        count = included.get(name)
        if count is not None:
            if count > RECURSION_MAX:
                raise GoFuncError(f"rendering template has a nested reference name: {name}: unable to execute template")
            included[name] = count + 1
        else:
            included[name] = 1
        try:
            return ts.execute(name, data)
        except TemplateExecError as exc:
            raise NestedTemplateError("", exc) from exc
        finally:
            included[name] -= 1

    def tpl(text: str, vals: Any) -> str:
        if text.isspace() or not text:
            # Go executes the freshly parsed (empty) tree itself, never an older `gotpl` a nested tpl
            # left in the set: the output is the text.
            return text
        if state.tpl_depth >= TPL_DEPTH_MAX:
            raise ExecutionStopped(StackExhausted(f"tpl nested more than {TPL_DEPTH_MAX} levels deep"))
        state.tpl_depth += 1
        try:
            return _tpl(text, vals)
        finally:
            state.tpl_depth -= 1

    def _tpl(text: str, vals: Any) -> str:
        key = (serial, text)
        clone = state.tpl_cache.get(key)
        if clone is None:
            clone = ts.clone()
            _bind(clone, state)
            try:
                clone.parse(ts.name, text)
            except TemplateParseError as exc:
                raise GoFuncError(f"cannot parse template {quote(text)}: {exc.message}") from exc
            state.tpl_cache[key] = clone
            if len(state.tpl_cache) > _TPL_CACHE_SIZE:
                state.tpl_cache.popitem(last=False)
        try:
            out = clone.execute(ts.name, vals)
        except TemplateExecError as exc:
            raise NestedTemplateError(f"error during tpl function execution for {quote(text)}: ", exc) from exc
        return out.replace(NO_VALUE, "")

    ts.funcs["include"] = GoFunc("include", include, ("string", "interface {}"))
    ts.funcs["tpl"] = GoFunc("tpl", tpl, ("string", "interface {}"))


class RenderFailure(Exception):
    """A template failed; `text` is Helm's error text (without `Error: `)."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def _parsed_set(compat: HelmCompat, order: list[str], templates: dict[str, Renderable]) -> tuple[Any, _SetState]:
    from wavecd.gotemplate import TemplateParseError, TemplateSet

    key = _digest(compat, order, templates)
    cached = _SETS.get(key)
    if cached is not None:
        _SETS.move_to_end(key)
        return cached
    ts = TemplateSet(helm_functions(compat).copy(), missingkey="zero", go_version=compat.go_version_tuple, name="gotpl")
    state = _SetState(disk_key=template_cache.entry_key(key))
    _bind(ts, state)
    if not _read_stored(ts, state):
        for name in order:
            try:
                ts.parse(name, templates[name].text)
            except TemplateParseError as exc:
                raise RenderFailure(parse_error_text(name, exc.message)) from None
    _SETS[key] = (ts, state)
    if len(_SETS) > _SET_CACHE_SIZE:
        _SETS.popitem(last=False)
    return ts, state


def _read_stored(ts: Any, state: _SetState) -> bool:
    """Fill a fresh set from the disk cache; False when there is no usable entry."""
    payload = template_cache.read_entry(state.disk_key)
    if payload is None:
        return False
    try:
        ts.load_state(payload)
    except ValueError:
        return False
    state.stored = ts.compiled_count()
    return True


def _store(ts: Any, state: _SetState) -> None:
    """Write the set to the disk cache when this render compiled templates the stored entry lacks."""
    compiled = ts.compiled_count()
    if compiled > state.stored:
        try:
            payload = ts.dump_state()
        except Exception:  # something unpicklable in a template's constants: this set is just not cached
            state.stored = sys.maxsize
            return
        template_cache.write_entry(state.disk_key, payload)
        state.stored = compiled


def render_templates(compat: HelmCompat, templates: dict[str, Renderable], timeout: float) -> dict[str, str]:
    """Engine.render: every non-partial template executed; `<no value>` removed from each output.
    The clock starts before parsing; execution stops `timeout` seconds later (`RenderTimeLimitExceeded`)."""
    try:
        with runtime.time_limit(timeout):
            order = parse_order(list(templates))
            ts, state = _parsed_set(compat, order, templates)
            with state.lock:
                state.included.clear()
                state.tpl_depth = 0
                try:
                    return _execute_all(compat, ts, order, templates)
                finally:  # a failed render compiled templates too: a re-run (with other values) reuses them
                    _store(ts, state)
    except ExecutionStopped as stop:
        raise _stopped(stop.error, timeout) from None


def _stopped(error: WavecdError, timeout: float) -> WavecdError:
    """The error a stopped execution reports: Go's fatal text where Helm dies, else the time limit."""
    if isinstance(error, TimeLimitExceeded):
        return RenderTimeLimitExceeded(timeout)
    if isinstance(error, StackExhausted):
        return HelmCrash(error.message, context=error.context)
    return error


def _execute_all(compat: HelmCompat, ts: Any, order: list[str], templates: dict[str, Renderable]) -> dict[str, str]:
    from wavecd.gotemplate import TemplateExecError
    from wavecd.gotemplate.errors import wavecd_bug

    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    rendered: dict[str, str] = {}
    for name in order:
        if posixpath.basename(name).startswith("_"):
            continue
        job = templates[name]
        job.vals["Template"] = type(job.vals)({"Name": name, "BasePath": job.base_path})
        try:
            out = ts.execute(name, job.vals)
        except TemplateExecError as exc:
            bug = wavecd_bug(exc)
            if bug is not None:  # never Helm's words (nor a manifest) for a wavecd bug: the caller reports it
                raise bug from None
            raise RenderFailure(exec_error_text(name, _ErrorChain(exc), compat.major)) from None
        except RecursionError:
            raise RenderFailure(f"rendering template failed: runtime error: stack overflow in {name}") from None
        rendered[name] = out.replace(NO_VALUE, "")
    return rendered
