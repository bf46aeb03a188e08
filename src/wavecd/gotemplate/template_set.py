"""`TemplateSet`: Go's associated templates (`template.New("gotpl")` and friends) as one object.

Parse once, execute many: `parse` compiles every tree it defines into a Python function (cached by
name and text across all sets, so re-parsing a chart's files or a `tpl` string costs a dict lookup), and
`execute` just calls it. `clone` copies the name table and the functions, never the compiled code.
"""

from __future__ import annotations

import gc
import io
import marshal
import pickle
from types import CodeType, FunctionType
from typing import Any

from wavecd.core.goquote import quote as go_quote
from wavecd.gotemplate import runtime as rt
from wavecd.gotemplate.builtins import builtins_for
from wavecd.gotemplate.calls import CallSite
from wavecd.gotemplate.compiler import Options, compile_tree, render_parts, revive_render
from wavecd.gotemplate.errors import TemplateExecError
from wavecd.gotemplate.funcs import FuncMap, GoFunc
from wavecd.gotemplate.nodes import Tree, is_empty_tree

MISSINGKEY_MODES = ("zero", "default", "invalid", "error")
_CACHE_SIZE = 4096


class _Lazy:
    """A tree's render function, compiled on first execution: most defines of a chart's helpers (and of
    library charts) are never executed, and compiling is the expensive part of parsing."""

    __slots__ = ("name", "opts", "render", "tree")

    def __init__(self, tree: Tree, opts: Options):
        self.tree = tree
        self.opts = opts
        self.name = tree.name
        self.render: Any = None

    def __call__(self, x: TemplateSet, dot: Any, out: list[str], depth: int) -> None:
        render = self.render
        if render is None:
            try:
                render = self.render = compile_tree(self.tree, self.opts)
            except (RecursionError, MemoryError, SyntaxError) as e:
                raise TemplateExecError(
                    f"template: {self.name}: template too deeply nested to compile ({type(e).__name__})"
                ) from None
        if x._renders.get(self.name) is self:
            x._renders[self.name] = render
        render(x, dot, out, depth)


class _Compiled:
    __slots__ = ("identifiers", "renders", "trees")

    def __init__(self, trees: dict[str, Tree], renders: dict[str, Any], identifiers: set[str]):
        self.trees = trees
        self.renders = renders
        self.identifiers = identifiers


_cache: dict[tuple, _Compiled] = {}


def clear_cache() -> None:
    """Forget every compiled template (benchmarks use it to measure cold parses)."""
    _cache.clear()


class TemplateSet:
    """A namespace of templates sharing functions and options, like a Go *template.Template tree."""

    def __init__(
        self,
        funcs: FuncMap,
        *,
        missingkey: str = "zero",
        go_version: tuple[int, int] = (1, 25),
        name: str = "gotpl",
    ):
        if missingkey not in MISSINGKEY_MODES:
            raise ValueError(f"unrecognized option: missingkey={missingkey}")
        self.funcs: FuncMap = funcs
        self.missingkey = missingkey
        self.go_version = tuple(go_version)
        self.name = name
        self._builtins = builtins_for(self.go_version)
        self._renders: dict[str, Any] = {}

    # --- parsing ------------------------------------------------------------------------------------
    def _has_function(self, name: str) -> bool:
        return name in self.funcs or name in self._builtins

    def parse(self, name: str, text: str) -> None:
        """Parse `text` as template `name`; its defines join the set (a later define replaces an earlier one,
        but never with an empty body – Go's rule)."""
        funcs = self.funcs
        lazy = "and" not in funcs and "or" not in funcs
        key = (name, text, self.missingkey, self.go_version, lazy, "break" in funcs, "continue" in funcs)
        compiled = _cache.get(key)
        if compiled is None or not all(self._has_function(i) for i in compiled.identifiers):
            compiled = self._compile(name, text, lazy)
            if len(_cache) >= _CACHE_SIZE:
                _cache.clear()  # simple and thread-safe; a real workload re-fills it with what it uses
            _cache[key] = compiled
        for tname, tree in compiled.trees.items():
            if tname in self._renders and is_empty_tree(tree.root):
                continue
            lazy_render = compiled.renders[tname]
            self._renders[tname] = lazy_render.render or lazy_render

    def _compile(self, name: str, text: str, lazy: bool) -> _Compiled:
        # the lexer and parser load with the first text to parse: a set from the template cache needs neither
        from wavecd.gotemplate.parser import parse_templates

        trees, identifiers = parse_templates(name, text, self._has_function, self.go_version)
        opts = Options(self.missingkey, self.go_version, self._builtins, lazy)
        renders = {tname: _Lazy(tree, opts) for tname, tree in trees.items()}
        return _Compiled(trees, renders, identifiers)

    # --- execution ----------------------------------------------------------------------------------
    def execute(self, name: str, data: Any) -> str:
        """Execute template `name` with `data` as dot and `$`; returns the text."""
        render = self._renders.get(name)
        if render is None:
            raise TemplateExecError(
                f"template: no template {go_quote(name)} associated with template {go_quote(self.name)}"
            )
        out: list[str] = []
        try:
            rt.nested(render, self, data, out, 0)
        except TemplateExecError:
            raise
        except Exception as e:  # a bug below us: still an error the caller can report, never a traceback
            raise TemplateExecError(f"template: {name}: internal error: {rt.error_text(e)}", cause=e) from e
        return "".join(out)

    def has_template(self, name: str) -> bool:
        return name in self._renders

    def compiled_count(self) -> int:
        """How many of the set's templates have compiled code (grows as executions compile lazy ones)."""
        return sum(1 for r in self._renders.values() if r.__class__ is not _Lazy or r.render is not None)

    def dump_state(self) -> bytes:
        """The parsed trees and compiled code of this set as bytes, for a cross-process cache. Functions are
        stored by name and re-bound to the loading set's FuncMap, so only pure, parse-time data is kept."""
        buf = io.BytesIO()
        _StatePickler(buf, self).dump(self._renders)
        return buf.getvalue()

    def load_state(self, blob: bytes) -> None:
        """Adopt what `dump_state` wrote (for the same texts, options and functions' names). Raises
        `ValueError` on any blob it cannot use, so callers can treat that as a cache miss."""
        collecting = gc.isenabled()
        gc.disable()  # a large graph of long-lived objects: collections while building it are wasted work
        try:
            renders = _StateUnpickler(io.BytesIO(blob), self).load()
        except Exception as e:
            raise ValueError(f"unusable compiled template state: {type(e).__name__}: {e}") from None
        finally:
            if collecting:
                gc.enable()
        if not isinstance(renders, dict):
            raise ValueError("unusable compiled template state: not a table of templates")
        self._renders = renders

    def clone(self) -> TemplateSet:
        """A copy with its own name table and FuncMap, sharing all compiled code (Go's Clone)."""
        c = TemplateSet.__new__(TemplateSet)
        c.funcs = dict(self.funcs)
        c.missingkey = self.missingkey
        c.go_version = self.go_version
        c.name = self.name
        c._builtins = self._builtins
        c._renders = dict(self._renders)
        return c


class _Ref:
    """Stands in a pickle for an object of the loading process: a function, the set's builtins or options.
    Pickled once (memoized), as a call `_StateUnpickler` resolves."""

    __slots__ = ("kind", "name")

    def __init__(self, kind: str, name: str = ""):
        self.kind = kind
        self.name = name

    def __reduce__(self) -> tuple:
        return _resolve, (self.kind, self.name)

    def __call__(self, *args: Any) -> Any:  # pickle insists that a reduce's callable be callable
        raise TypeError("a _Ref is only a placeholder in a pickle")


def _resolve(kind: str, name: str) -> Any:
    raise pickle.UnpicklingError("bound by _StateUnpickler.find_class")


class _StatePickler(pickle.Pickler):
    """Pickles a set's templates: compiled ones as code and constants (code objects by marshal), the others
    as parse trees. What belongs to the loading process (functions, builtins, options) is referenced by a
    `_Ref`. Loading builds each object with C code alone (no Python call per object): the compiler's
    call-site helpers are partials of module functions. The special cases sit in a per-type dispatch
    table, so the many plain objects (nodes, lists, strings) cost one trivial call."""

    def __init__(self, file: io.BytesIO, ts: TemplateSet):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._builtins = ts._builtins
        self._refs: dict[tuple[str, str], _Ref] = {}
        self.dispatch_table = {
            CodeType: _reduce_code,
            _Lazy: _reduce_lazy,
            CallSite: self._reduce_call_site,
            GoFunc: lambda f: self._ref("func", f.name).__reduce__(),
            Options: lambda _: self._ref("options").__reduce__(),
        }

    def _ref(self, kind: str, name: str = "") -> _Ref:
        ref = self._refs.get((kind, name))
        if ref is None:
            ref = self._refs[kind, name] = _Ref(kind, name)
        return ref

    def reducer_override(self, obj: Any) -> Any:
        """Functions only: pickle saves them by name before it looks at the dispatch table."""
        return self._reduce_function(obj) if obj.__class__ is FunctionType else NotImplemented

    def _reduce_function(self, fn: FunctionType) -> Any:
        if fn.__module__ is None:  # a render function: exec'd in its own namespace
            return revive_render, render_parts(fn)
        return NotImplemented  # a module's function: by name (a closure fails here, and the set is not stored)

    def _reduce_call_site(self, site: CallSite) -> Any:
        """Without its cached plan (closures over this process's functions), with the builtins by name."""
        state = {k: getattr(site, k) for k in CallSite.__slots__}
        state["_cached"] = (None, None)
        if state.get("builtins") is self._builtins:
            state["builtins"] = self._ref("builtins")
        return object.__new__, (CallSite,), (None, state)


def _reduce_code(code: CodeType) -> Any:
    return marshal.loads, (marshal.dumps(code),)


def _reduce_lazy(lazy: _Lazy) -> Any:
    if lazy.render is not None:
        return revive_render, render_parts(lazy.render)
    return _Lazy, (lazy.tree, lazy.opts)


class _StateUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, ts: TemplateSet):
        super().__init__(file)
        self._ts = ts
        lazy = "and" not in ts.funcs and "or" not in ts.funcs
        self._options = Options(ts.missingkey, ts.go_version, ts._builtins, lazy)

    def _resolve(self, kind: str, name: str) -> Any:
        ts = self._ts
        if kind == "options":
            return self._options
        if kind == "builtins":
            return ts._builtins
        if kind == "func":
            f = ts.funcs.get(name) or ts._builtins.get(name)
            if f is not None:
                return f
        raise pickle.UnpicklingError(f"cannot bind {kind} {name!r}")

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_resolve":
            return self._resolve
        return super().find_class(module, name)
