"""`TemplateSet`: Go's associated templates (`template.New("gotpl")` and friends) as one object.

Parse once, execute many: `parse` compiles every tree it defines into a Python function (cached by
name and text across all sets, so re-parsing a chart's files or a `tpl` string costs a dict lookup), and
`execute` just calls it. `clone` copies the name table and the functions, never the compiled code.
"""

from __future__ import annotations

from typing import Any

from wavecd.gotemplate import runtime as rt
from wavecd.gotemplate.builtins import builtins_for
from wavecd.gotemplate.compiler import Options, compile_tree
from wavecd.gotemplate.errors import TemplateExecError
from wavecd.gotemplate.funcs import FuncMap
from wavecd.gotemplate.lexer import go_quote
from wavecd.gotemplate.nodes import Tree, is_empty_tree
from wavecd.gotemplate.parser import parse_templates

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
        self._trees: dict[str, Tree] = {}
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
            old = self._trees.get(tname)
            if old is not None and is_empty_tree(tree.root):
                continue
            self._trees[tname] = tree
            lazy_render = compiled.renders[tname]
            self._renders[tname] = lazy_render.render or lazy_render

    def _compile(self, name: str, text: str, lazy: bool) -> _Compiled:
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

    def template_names(self) -> list[str]:
        return list(self._renders)

    def clone(self) -> TemplateSet:
        """A copy with its own name table and FuncMap, sharing all compiled code (Go's Clone)."""
        c = TemplateSet.__new__(TemplateSet)
        c.funcs = dict(self.funcs)
        c.missingkey = self.missingkey
        c.go_version = self.go_version
        c.name = self.name
        c._builtins = self._builtins
        c._trees = dict(self._trees)
        c._renders = dict(self._renders)
        return c
