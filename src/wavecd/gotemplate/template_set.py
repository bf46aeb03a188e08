"""`TemplateSet`: Go's associated templates (`template.New("gotpl")` and friends) as one object.

Parse once, execute many: `parse` compiles every tree it defines into a Python function (cached by
name and text across all sets, so re-parsing a chart's files or a `tpl` string costs a dict lookup), and
`execute` just calls it. `clone` copies the name table and the functions, never the compiled code.
"""

from __future__ import annotations

import functools
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
from wavecd.gotemplate.compiler import (
    LazyBlock,
    Options,
    clear_code,
    compile_tree,
    compiled_block,
    render_parts,
    revive_render,
)
from wavecd.gotemplate.errors import TemplateExecError
from wavecd.gotemplate.funcs import FuncMap, GoFunc, LazyFuncMap, lookup
from wavecd.gotemplate.nodes import BranchNode, ListNode, Source, Tree, is_empty_tree

MISSINGKEY_MODES = ("zero", "default", "invalid", "error")
# What `dump_state` writes first: a blob of another layout (an older wavecd's) is refused, never misread.
_STATE_FORMAT = b"wavecd template state 2\n"
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
    clear_code()


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
        if isinstance(funcs, LazyFuncMap):  # a function shadowing a builtin must be loaded before any call
            for builtin in self._builtins:
                funcs.load(builtin)

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
        buf.write(_STATE_FORMAT)
        _StatePickler(buf, self).dump(self._renders)
        return buf.getvalue()

    def load_state(self, blob: bytes) -> None:
        """Adopt what `dump_state` wrote (for the same texts, options and functions' names). Raises
        `ValueError` on any blob it cannot use, so callers can treat that as a cache miss."""
        if not blob.startswith(_STATE_FORMAT):
            raise ValueError("unusable compiled template state: not written by this version of wavecd")
        buf = io.BytesIO(blob)
        buf.seek(len(_STATE_FORMAT))
        collecting = gc.isenabled()
        gc.disable()  # a large graph of long-lived objects: collections while building it are wasted work
        try:
            renders = _StateUnpickler(buf, self).load()
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
        c.funcs = self.funcs.copy()
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


class _SourceTrees:
    """The trees of one parsed text, parsed again when a lazy block loaded without its body first runs.

    Parsing is deterministic (the same text, parse name, function names and Go version give the same
    trees), and a chart's untaken branches are a third of its parse trees: storing where each body is
    (its template's name and a path of branch steps) instead makes the cache entry quicker to write and to
    load, and costs one parse of a file when another set of values takes one of its untaken branches."""

    __slots__ = ("go_version", "has_function", "src", "trees")

    def __init__(self, src: Source, has_function: Any, go_version: tuple[int, int]):
        self.src = src
        self.has_function = has_function
        self.go_version = go_version
        self.trees: dict[str, Tree] | None = None

    def find(self, tmpl: str, path: tuple[int, ...], pos: int) -> tuple[ListNode, ListNode]:
        """The root of template `tmpl` and the body `path` leads to (step: node index * 2, + 1 for `else`)."""
        from wavecd.gotemplate.errors import TemplateParseError
        from wavecd.gotemplate.parser import parse_templates

        try:
            if self.trees is None:
                src = self.src
                self.trees = parse_templates(src.parse_name, src.text, self.has_function, self.go_version)[0]
            root = body = self.trees[tmpl].root
            for step in path:
                branch = body.nodes[step >> 1]
                found = branch.else_list if step & 1 else branch.list  # type: ignore[attr-defined]
                if found is None:
                    raise LookupError(step)
                body = found
        except (TemplateParseError, LookupError, AttributeError, RecursionError):
            body = None
        if body is None or body.pos != pos:  # a wavecd bug (the caller reports it as one), never the template's
            bug = LookupError(f"no branch at {path} of {tmpl!r} in {self.src.parse_name!r}")
            raise TemplateExecError(f"template: {tmpl}: internal error: {bug}", cause=bug)
        return root, body


def _located_block(trees: _SourceTrees, path: tuple[int, ...], pos: int, args: tuple[Any, ...]) -> LazyBlock:
    """A lazy block loaded without its body: `_SourceTrees.find` provides it when the block first runs."""
    block = LazyBlock(*args)
    block.find_body = functools.partial(_SourceTrees.find, trees, block.tmpl, path, pos)
    return block


def _list_paths(root: ListNode) -> dict[int, tuple[int, ...]]:
    """The path (see `_SourceTrees.find`) of every branch body in a template, by the body's id."""
    paths: dict[int, tuple[int, ...]] = {}
    stack: list[tuple[ListNode, tuple[int, ...]]] = [(root, ())]
    while stack:
        lst, path = stack.pop()
        for i, node in enumerate(lst.nodes):
            if isinstance(node, BranchNode):
                for step, sub in ((i * 2, node.list), (i * 2 + 1, node.else_list)):
                    if sub is not None:
                        paths[id(sub)] = sub_path = (*path, step)
                        stack.append((sub, sub_path))
    return paths


class _StatePickler(pickle.Pickler):
    """Pickles a set's templates: compiled ones as code and constants (code objects by marshal), the others
    as parse trees, and an untaken branch's body as where to find it in its text (`_SourceTrees`). What
    belongs to the loading process (functions, builtins, options) is referenced by a `_Ref`. Loading builds
    nearly every object with C code alone (no Python call per object): the compiler's call-site helpers are
    partials of module functions. The special cases sit in a per-type dispatch table, so the many plain
    objects (nodes, lists, strings) cost one trivial call."""

    def __init__(self, file: io.BytesIO, ts: TemplateSet):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._builtins = ts._builtins
        self._go_version = (ts.go_version[0], ts.go_version[1])
        self._refs: dict[tuple[str, str], _Ref] = {}
        self._sources: dict[int, _SourceTrees] = {}
        self._paths: dict[int, dict[int, tuple[int, ...]]] = {}
        self.dispatch_table = {
            CodeType: _reduce_code,
            _Lazy: _reduce_lazy,
            LazyBlock: self._reduce_block,
            _SourceTrees: lambda t: (_SourceTrees, (t.src, self._ref("has_function"), t.go_version)),
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

    def _reduce_block(self, block: LazyBlock) -> Any:
        """A compiled block as its function; an uncompiled one as where its body is in its template."""
        if block.fn is not None:
            return compiled_block, (block.fn,)
        body, root = block.body, block.root
        args = (
            block.tmpl,
            None,
            block.opts,
            block.scope,
            block.dot,
            block.dot_iface,
            block.n,
            block.params,
            block.level,
        )
        if body is None:  # loaded without its body and never run: still where it was found
            find = block.find_body
            assert isinstance(find, functools.partial)
            trees, _, path, pos = find.args
            return _located_block, (trees, path, pos, args)
        assert root is not None
        paths = self._paths.get(id(root))
        if paths is None:
            paths = self._paths[id(root)] = _list_paths(root)
        path = paths.get(id(body))
        if path is None:  # not a branch body of its template (never so): kept whole
            return LazyBlock, (*args[:1], body, *args[2:], root)
        trees = self._sources.get(id(body.src))
        if trees is None:
            trees = self._sources[id(body.src)] = _SourceTrees(body.src, None, self._go_version)
        return _located_block, (trees, path, body.pos, args)

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
        if kind == "has_function":
            return ts._has_function
        if kind == "func":
            f = lookup(ts.funcs, name) or ts._builtins.get(name)
            if f is not None:
                return f
        raise pickle.UnpicklingError(f"cannot bind {kind} {name!r}")

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_resolve":
            return self._resolve
        return super().find_class(module, name)
