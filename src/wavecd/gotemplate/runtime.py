"""What compiled templates call while they run: errors with Go's texts, the slow paths of field access,
printing, range iteration, and nested template calls that never exhaust the Python stack.

The compiler inlines the common cases (a key of a plain dict, a string to print); everything unusual
lands here, so this module holds Go's rules for the rare cases.
"""

from __future__ import annotations

import inspect
import math
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import islice
from operator import itemgetter
from time import monotonic
from typing import Any

from wavecd.core.errors import WavecdError
from wavecd.gotemplate import gofmt
from wavecd.gotemplate.errors import (
    ChainedText,
    ExecutionStopped,
    StackExhausted,
    TemplateExecError,
    TimeLimitExceeded,
)
from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import GoStringMap, go_type_name
from wavecd.gotemplate.nodes import Node

MAX_EXEC_DEPTH = 100000


class Missing:
    """Go's invalid reflect.Value where it must differ from a nil interface: a missing key under
    missingkey=default, or a field of an invalid receiver (the rest of such a chain stays invalid)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()
NO_FINAL = object()  # a command that receives no value from a previous pipeline stage


def exec_error(
    tmpl: str, node: Node | None, detail: str, cause: BaseException | None = None, tail: ChainedText | None = None
) -> TemplateExecError:
    """Go's `state.errorf`: the message names the node's file, line, byte column and source text. A `tail`
    (a nested template's error) follows `detail` in the text, joined only when the text is read."""
    if node is None:
        return TemplateExecError(f"template: {tmpl}: {detail}", template=tmpl, detail=detail, cause=cause, tail=tail)
    src = node.src
    line, col = src.location(node.pos)
    text = str(node)
    msg = f"template: {src.parse_name}:{line}:{col}: executing {gofmt.quote(tmpl)} at <{text}>: {detail}"
    return TemplateExecError(
        msg, file=src.parse_name, line=line, col=col, template=tmpl, node=text, detail=detail, cause=cause, tail=tail
    )


def error_text(e: BaseException) -> str:
    """The text Go's `%v` of an error gives for what a function raised."""
    if isinstance(e, WavecdError):
        return e.message
    if isinstance(e, GoFuncError):
        return str(e)
    if isinstance(e, RecursionError):
        return "runtime: goroutine stack exceeds 1000000000-byte limit"
    return str(e) or type(e).__name__


def call_error(tmpl: str, node: Node, name: str, e: BaseException) -> TemplateExecError:
    if isinstance(e, ChainedText):  # a nested template's error: its text stays in its own links
        return exec_error(tmpl, node, f"error calling {name}: ", e, tail=e)
    return exec_error(tmpl, node, f"error calling {name}: {error_text(e)}", e)


def print_value(v: Any, addressable: bool = False) -> str:
    """Text of `{{ pipeline }}`: nil prints `<no value>`, everything else as fmt.Print prints it, but
    through a pointer-receiver `String()` when the value is `addressable` (Go's printableValue)."""
    if v is None or v is MISSING:
        return "<no value>"
    return gofmt.format_value(v, addressable=addressable)


def text_of(v: Any) -> str:
    """What `{{ pipeline }}` writes for v (a string as it is: the common case, without a further call)."""
    return v if v.__class__ is str else print_value(v)


def text_of_addressable(v: Any) -> str:
    """text_of a variable or dot, taken as bound to a struct field (`{{ with .X }}{{ . }}`)."""
    return v if v.__class__ is str else print_value(v, True)


def text_of_field(v: Any, recv: Any) -> str:
    """text_of `recv.Name`: a struct's field is addressable, a map's value is not."""
    return v if v.__class__ is str else print_value(v, not isinstance(recv, dict))


def _static_type(v: Any, iface: bool) -> str:
    return "interface {}" if iface else go_type_name(v)


def hop(
    tmpl: str, recv: Any, name: str, node: Node, iface: bool, missingkey: str, last: bool = False, prev: Any = None
) -> Any:
    """One `.name` step on anything but a plain dict (which the compiled code reads directly).

    Go's invalid value (a missing value that is not a nil interface) travels along the chain as MISSING;
    the last step of a chain hands it out as None."""
    if last:
        v = hop(tmpl, recv, name, node, iface, missingkey, False, prev)
        return None if v is MISSING and missingkey == "zero" else v
    if recv is None:
        if iface:
            raise exec_error(tmpl, node, f"nil pointer evaluating interface {{}}.{name}")
        if missingkey == "error":
            raise exec_error(tmpl, node, f"nil data; no entry for key {gofmt.quote(name)}")
        return MISSING  # Go's invalid value: the rest of the chain yields it too, without an error
    if recv is MISSING:
        if missingkey == "error":
            raise exec_error(tmpl, node, f"nil data; no entry for key {gofmt.quote(name)}")
        return MISSING
    method = _method(recv, name)
    if method is not None:
        return call_method(tmpl, node, name, method, (), NO_FINAL)
    if isinstance(recv, dict):
        if name in recv:
            return recv[name]
        if missingkey == "zero":
            return "" if isinstance(recv, GoStringMap) else None
        if missingkey == "error":
            raise exec_error(tmpl, node, f"map has no entry for key {gofmt.quote(name)}")
        return MISSING
    go_field = getattr(recv, "go_field", None)
    if go_field is not None:
        try:
            v = go_field(name)
        except AttributeError:
            pass
        else:
            if not name[0].isupper():  # listed for fmt, which prints unexported fields too
                struct_type = go_type_name(recv).removeprefix("*")
                raise exec_error(tmpl, node, f"{name} is an unexported field of struct type {struct_type}")
            return v
    if prev is not None and not isinstance(prev, dict):
        iface = False  # read from a struct field: Go names the field's own type
    raise exec_error(tmpl, node, f"can't evaluate field {name} in type {_static_type(recv, iface)}")


def hop_site(tmpl: str, name: str, node: Node, iface: bool, missingkey: str, last: bool) -> Any:
    """`hop` with everything but the receiver fixed: one short call in the generated code. A partial, not a
    closure: the template cache stores tens of thousands of them, and a partial pickles and loads in C."""
    return partial(_hop_at_site, tmpl, name, node, iface, missingkey, last)


def _hop_at_site(
    tmpl: str, name: str, node: Node, iface: bool, missingkey: str, last: bool, recv: Any, prev: Any = None
) -> Any:
    return hop(tmpl, recv, name, node, iface, missingkey, last, prev)


def walk(recv: Any, steps: tuple) -> Any:
    """A field chain `.a.b.c` of missingkey=zero in one call: each step reads a map's key directly and
    leaves anything else to `hop`, exactly as the inlined steps would (one call instead of a line per step,
    because compiling the generated code costs more than running it). A step is a flat tuple
    (name, map types, template, node, iface, last): the template cache stores tens of thousands of them."""
    prev = None
    for name, types, tmpl, node, iface, last in steps:
        cur = recv.get(name) if recv.__class__ in types else hop(tmpl, recv, name, node, iface, "zero", last, prev)
        prev, recv = recv, cur
    return recv


def walk_pair(recv: Any, steps: tuple) -> tuple[Any, Any]:
    """`walk`, also returning the last step's receiver (printing a field needs it)."""
    prev = None
    for name, types, tmpl, node, iface, last in steps:
        cur = recv.get(name) if recv.__class__ in types else hop(tmpl, recv, name, node, iface, "zero", last, prev)
        prev, recv = recv, cur
    return prev, recv


def walk_text(recv: Any, steps: tuple) -> str:
    """What printing the field `walk_pair` reaches writes: the most common action (`{{ .Values.a.b }}`)
    as one call in the generated code."""
    prev, v = walk_pair(recv, steps)
    return text_of_field(v, prev)


def hop_with_args(
    tmpl: str, recv: Any, name: str, node: Node, iface: bool, missingkey: str, args: tuple, final: Any
) -> Any:
    """The last `.name` of a command that has arguments: only a method can take them."""
    if recv is None or recv is MISSING:
        return hop(tmpl, recv, name, node, iface, missingkey, True)
    method = _method(recv, name)
    if method is not None:
        return call_method(tmpl, node, name, method, args, final)
    if isinstance(recv, dict):
        raise exec_error(tmpl, node, f"{name} is not a method but has arguments")
    go_field = getattr(recv, "go_field", None)
    if go_field is not None:
        try:
            go_field(name)
        except AttributeError:
            pass
        else:
            raise exec_error(tmpl, node, f"{name} has arguments but cannot be invoked as function")
    raise exec_error(tmpl, node, f"can't evaluate field {name} in type {_static_type(recv, iface)}")


def _method(recv: Any, name: str) -> Any:
    go_method = getattr(recv, "go_method", None)
    if go_method is None:
        return None
    try:
        return go_method(name)
    except AttributeError:
        return None


def call_method(tmpl: str, node: Node, name: str, method: Any, args: tuple, final: Any) -> Any:
    """Call a Go method: a GoFunc is checked against its signature, a plain callable takes anything."""
    from wavecd.gotemplate.calls import check_call

    argv = list(args)
    if final is not NO_FINAL:
        argv.append(final)
    if isinstance(method, GoFunc):
        argv = check_call(tmpl, node, method, argv)
        fn = method.fn
    else:
        fn = method
    try:
        return fn(*argv)
    except TypeError as e:  # Python's refusal of the argument count, before the method ran
        want = _plain_arity(fn)
        if want is not None and want != len(argv):
            raise exec_error(tmpl, node, f"wrong number of args for {name}: want {want} got {len(argv)}") from None
        raise call_error(tmpl, node, name, e) from e
    except Exception as e:  # Go turns any panic of the callee into `error calling`
        raise call_error(tmpl, node, name, e) from e


def _plain_arity(fn: Any) -> int | None:
    """The fixed parameter count of a method written as a plain Python callable (None when it takes
    any number); asked only after a call failed, so a correct call pays nothing for it."""
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is None or code.co_flags & inspect.CO_VARARGS:
        return None
    return int(code.co_argcount) - (1 if hasattr(fn, "__self__") else 0)


_KEY = itemgetter(0)


def elements_are_interfaces(v: Any) -> bool:
    """Whether `range` over v yields interface values ([]interface{}, map[string]interface{}) rather
    than concrete ones (an int counter, []string, map[string]string, bytes): Go's errors name the type."""
    return v.__class__ is list or (isinstance(v, dict) and not isinstance(v, GoStringMap))


def range_items(tmpl: str, v: Any, node: Node, ndecl: int, keys: bool, range_int: bool) -> Any:
    """What `range` iterates: elements (or key/element pairs) in Go's order; None means the else branch.
    A long iteration tests the deadline as it goes (`check_deadline`), a short one once, here."""
    check_deadline()
    items = _range_items(tmpl, v, node, ndecl, keys, range_int)
    if items is not None and (len(v) if not isinstance(v, int) else v) > _RANGE_CHECK_EVERY:
        return _checked(items)
    return items


def _range_items(tmpl: str, v: Any, node: Node, ndecl: int, keys: bool, range_int: bool) -> Any:
    cls = v.__class__
    if cls is list or isinstance(v, list):
        if not v:
            return None
        return enumerate(v) if keys else v
    if cls is dict or isinstance(v, dict):
        if not v:
            return None
        items = sorted(v.items(), key=_sort_key(v))
        return items if keys else [e for _, e in items]
    if v is None or v is MISSING:
        return None
    if isinstance(v, (bytes, bytearray)):
        if not v:
            return None
        from wavecd.gotemplate.gotypes import Uint8

        elems = [Uint8(b) for b in v]
        return enumerate(elems) if keys else elems
    if range_int and isinstance(v, int) and not isinstance(v, bool):
        if ndecl > 1:
            raise exec_error(tmpl, node, f"can't use {gofmt.format_value(v)} to iterate over more than one variable")
        if v <= 0:
            return None
        if cls is not int:  # Go's Value.Seq yields the counter's own type (int64 from Sprig math)
            return ((e, e) for e in map(cls, range(v))) if keys else map(cls, range(v))
        return zip(range(v), range(v), strict=False) if keys else range(v)
    raise exec_error(tmpl, node, f"range can't iterate over {gofmt.format_value(v)}")


_RANGE_CHECK_EVERY = 4096


def _checked(items: Iterable[Any]) -> Iterator[Any]:
    """`items`, testing the deadline before each run of _RANGE_CHECK_EVERY elements."""
    it = iter(items)
    while chunk := list(islice(it, _RANGE_CHECK_EVERY)):
        check_deadline()
        yield from chunk


def _sort_key(d: dict) -> Any:
    """fmtsort's order: strings bytewise, numbers numerically; mixed kinds fall back to type then value."""
    kinds = {type(k) for k in d}
    if len(kinds) == 1:
        return _KEY
    return lambda kv: (type(kv[0]).__name__, kv[0])


# Nested templates one thread may hold before the next level moves to a new thread. The caller's own
# thread gets a small budget (its stack and depth are unknown); a hop thread starts empty, with its own
# stack and a recursion limit sized for HOP_THREAD_LEVEL levels of a few frames each. A level takes well
# under 1 KiB of C stack (an `include` cycle of 2000 levels needs 1 MiB), so a hop thread's stack has a
# wide margin for the C recursion a function may add on top.
HOP_LEVEL = 40
HOP_THREAD_LEVEL = 2000
_HOP_STACK = 16 * 1024 * 1024
_HOP_RECURSION_LIMIT = 20000
# Hop threads one execution may chain: 128000 nested levels, room for Go's MAX_EXEC_DEPTH nested
# `template` calls inside levels of `include`, and at most 1 GiB of thread stacks (Go's own stack limit).
MAX_HOPS = 64


class _Hop(threading.Thread):
    """Runs one nested template call on a fresh thread stack when the current one is deep."""

    def __init__(self, fn: Any, x: Any, dot: Any, out: list[str], depth: int, deadline: float, hops: int):
        super().__init__(daemon=True)
        self._call = (fn, x, dot, out, depth)
        self._limits = (deadline, hops)
        self.error: BaseException | None = None

    def run(self) -> None:
        _local.budget = HOP_THREAD_LEVEL
        _local.deadline, _local.hops = self._limits
        fn, x, dot, out, depth = self._call
        try:
            fn(x, dot, out, depth)
        except BaseException as e:  # re-raised in the calling thread
            self.error = e


class _ThreadState(threading.local):
    """Per thread: the nested calls it may still make before hopping, the deadline of the execution it
    runs (a hop thread inherits its caller's) and how many hop threads its chain has started."""

    budget = HOP_LEVEL
    deadline = math.inf
    hops = 0


_local = _ThreadState()


def check_deadline() -> None:
    """Stop the execution once its time limit has passed: a cheap test, made at every nested call (inlined
    in `nested`) and range, so that no template runs on unchecked for long."""
    deadline = _local.deadline
    if deadline < math.inf and monotonic() > deadline:
        raise ExecutionStopped(TimeLimitExceeded())


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Let the executions inside run for `seconds` of wall time: past it, the next nested template call or
    range of this thread (or of the hop threads it starts) raises `ExecutionStopped`."""
    saved = _local.deadline
    _local.deadline = min(saved, monotonic() + seconds)
    try:
        yield
    finally:
        _local.deadline = saved


def template_function(x: Any, tmpl: str, name: str, node: Node, depth: int) -> Any:
    """The function `{{template name}}` calls, after Go's two checks (defined, not too deep); one call
    in the generated code instead of a block of lines (compiling lines is the cost of a cold render)."""
    fn = x._renders.get(name)
    if fn is None:
        raise exec_error(tmpl, node, f"template {gofmt.quote(name)} not defined")
    if depth >= MAX_EXEC_DEPTH:
        raise exec_error(tmpl, node, f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
    return fn


def nested(fn: Any, x: Any, dot: Any, out: list[str], depth: int) -> None:
    """Call a compiled template function, moving to a fresh thread when this one has nested enough.

    Every nested call (`template`, and the executions `include` and `tpl` start) passes here: this is where
    the deadline is checked and where the chain of hop threads is bounded. Past MAX_HOPS the execution
    stops as Go's does when its stack is exhausted, never at Python's recursion limit or the C stack's end."""
    state = _local
    deadline = state.deadline
    if deadline < math.inf and monotonic() > deadline:  # check_deadline, inlined: this is a hot path
        raise ExecutionStopped(TimeLimitExceeded())
    budget = state.budget
    if budget > 0:
        state.budget = budget - 1
        try:
            fn(x, dot, out, depth)
        finally:
            state.budget = budget
        return
    if state.hops >= MAX_HOPS:
        raise ExecutionStopped(StackExhausted())
    if sys.getrecursionlimit() < _HOP_RECURSION_LIMIT:
        sys.setrecursionlimit(_HOP_RECURSION_LIMIT)
    with _stack_size_lock:
        old = threading.stack_size()
        try:
            threading.stack_size(_HOP_STACK)
            t = _Hop(fn, x, dot, out, depth, state.deadline, state.hops + 1)
            t.start()
        finally:
            threading.stack_size(old)
    t.join()
    if t.error is not None:
        raise t.error


_stack_size_lock = threading.Lock()
