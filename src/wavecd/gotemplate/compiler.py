"""Compile a parse tree into one Python function, once, so executing a template runs straight-line Python.

The generated function is `render(X, d0, out, depth)`: X is the executing TemplateSet, d0 the dot, out
a list the text is appended to, depth Go's template nesting depth. Go variables become Python locals
(resolved here, at compile time, with Go's run-time scoping), `range` becomes a `for` loop so that
`{{break}}`/`{{continue}}` are Python's, and plain-dict field chains are inlined. Everything rare calls
into `runtime` and `calls`.

Go reports an error at "the node the executor was last at". Which node that is is mostly static, so the
compiler simulates Go's `state.at` calls (`self.at`) and bakes the node into each error it can raise.

Compiling the generated lines is most of a cold render, so the compiler writes few of them, deciding as it
generates (as Jinja2's code generator does): the assignment of a temporary is held back as a pending value
until a statement that needs it written comes, so the consumer reached first (an `if` test, a print, the
next pipeline stage, a call taking its arguments) puts the expression in place instead. Python evaluates
the expressions in the order the lines would have run, so Go's order of evaluation is kept. For the same
reason a large branch body is generated and compiled only when it first runs (`LazyBlock`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import CodeType, FunctionType
from typing import Any

from wavecd.core.goquote import quote as go_quote
from wavecd.gotemplate import runtime as rt
from wavecd.gotemplate.calls import Arg, CallSite, LiteralError, ideal_constant
from wavecd.gotemplate.errors import TemplateExecError
from wavecd.gotemplate.funcs import GoFunc
from wavecd.gotemplate.gotypes import map_types_for_key
from wavecd.gotemplate.nodes import (
    ActionNode,
    BoolNode,
    BranchNode,
    BreakNode,
    ChainNode,
    CommandNode,
    ContinueNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    StringNode,
    TemplateNode,
    TextNode,
    Tree,
    VariableNode,
    WithNode,
)


class Options:
    """What the generated code depends on besides the tree (part of the compile cache key)."""

    __slots__ = ("builtins", "go_version", "lazy_and_or", "missingkey")

    def __init__(self, missingkey: str, go_version: tuple[int, int], builtins: dict[str, GoFunc], lazy_and_or: bool):
        self.missingkey = missingkey
        self.go_version = go_version
        self.builtins = builtins
        self.lazy_and_or = lazy_and_or


class _Var:
    __slots__ = ("iface", "py")

    def __init__(self, py: str, iface: bool | str):
        self.py = py
        self.iface = iface


class _DynAt:
    """Where Go's executor is after `and`/`or`: it depends on how many arguments were evaluated, so the
    generated code records it in a variable; `last` is the node if every argument was evaluated."""

    __slots__ = ("last", "var")

    def __init__(self, var: str, last: Node):
        self.var = var
        self.last = last


class _Assignment:
    """`target = expr` for a temporary, held back by `_Compiler.assign` until it must be written. `nesting`:
    how deep pending expressions were put inside each other to make `expr`."""

    __slots__ = ("expr", "indent", "nesting", "target")

    def __init__(self, indent: int, target: str, expr: str, nesting: int):
        self.indent = indent
        self.target = target
        self.expr = expr
        self.nesting = nesting

    def line(self) -> str:
        return f"{'    ' * self.indent}{self.target} = {self.expr}"


class _WalkPair:
    """`recv, target = _walk_pair(args)`: a field walk keeping the receiver of its last field for the print
    of the field (see `_Compiler.printer`); a print reached first calls `_walk_text(args)` instead."""

    __slots__ = ("args", "indent", "recv", "target")

    def __init__(self, indent: int, recv: str, target: str, args: str):
        self.indent = indent
        self.recv = recv
        self.target = target
        self.args = args

    def line(self) -> str:
        return f"{'    ' * self.indent}{self.recv}, {self.target} = _walk_pair({self.args})"


class _Position:
    """`var = value`: where an and/or stopped, a node's constant or (`copied`) the position variable of an
    and/or inside it. Only the code generated after it can tell whether an error reads `var` (an and/or
    tested by an `if` never is), so whether it is written is settled when the function is complete."""

    __slots__ = ("copied", "indent", "value", "var")

    def __init__(self, indent: int, var: str, value: str, copied: bool):
        self.indent = indent
        self.var = var
        self.value = value
        self.copied = copied

    def line(self) -> str:
        return f"{'    ' * self.indent}{self.var} = {self.value}"


class _Compiler:
    def __init__(self, tmpl: str, root: ListNode, opts: Options):
        self.tmpl = tmpl
        self.root = root
        self.opts = opts
        self.lines: list[str | _Position] = []
        # Assignments not written yet, in order: the last one may still be taken by its consumer
        self.pending: list[_Assignment | _WalkPair] = []
        self.indent = 1
        self.consts: dict[str, Any] = {}
        self.n = 0
        self.scopes: list[dict[str, _Var]] = []
        self.dot = "d0"
        # Whether a nil dot is a nil interface: a bool, or the name of a variable deciding it at run time
        self.dot_iface: bool | str = False
        self.at: Node | _DynAt = root
        self.read_positions: set[str] = set()  # the and/or position variables generated code reads
        self.last_recv = "None"  # what the last compiled chain read its final field from
        self.keep_recv = False  # whether the action being compiled prints with `_txf` (needs last_recv)
        self.map_sets: dict[int, str] = {}
        self.lazy_level = 0  # how many lazy blocks the code being generated is inside
        self.facts: dict[ListNode, _Facts] = {}  # `_body_facts` of the lists seen
        self.tree_root = root  # the body of the whole template, which a lazy block's body is found in

    # --- emission helpers ---------------------------------------------------------------------
    def emit(self, line: str) -> None:
        self.flush()
        self.lines.append("    " * self.indent + line)

    def flush(self) -> None:
        """Write the pending assignments: a statement that is not one of their consumers comes next."""
        if self.pending:
            self.lines.extend(p.line() for p in self.pending)
            self.pending.clear()

    def assign(self, target: str, expr: str, nesting: int = 0) -> _Assignment:
        """Assign a temporary, pending: its consumer may still `take` the expression instead."""
        pending = _Assignment(self.indent, target, expr, nesting)
        self.pending.append(pending)
        return pending

    def take(self, value: str, nested: bool = False) -> _Assignment | None:
        """The assignment of `value` when it is the last one pending at this indentation (no code was
        generated since): the caller puts its expression in place, and it is never written. Else None.

        `nested`: the caller puts it inside an expression of its own, which stops `_MAX_NESTING` deep."""
        last = self.pending[-1] if self.pending else None
        if (
            isinstance(last, _Assignment)
            and last.target == value
            and last.indent == self.indent
            and not (nested and last.nesting >= _MAX_NESTING)
        ):
            self.pending.pop()
            return last
        return None

    def in_place(self, value: str) -> str:
        """`value`, or the expression computing it when a statement can take it in place (see `take`)."""
        taken = self.take(value)
        return value if taken is None else taken.expr

    def take_walk(self, value: str) -> str | None:
        """The `_walk_pair` arguments computing `value` when that walk is the last pending assignment at this
        indentation, for printing the walked field in one call; else None."""
        last = self.pending[-1] if self.pending else None
        if isinstance(last, _WalkPair) and last.target == value and last.indent == self.indent:
            self.pending.pop()
            return last.args
        return None

    def const(self, obj: Any) -> str:
        self.n += 1
        name = f"k{self.n}"
        self.consts[name] = obj
        return name

    def map_types(self, key: str) -> str:
        """The constant holding `map_types_for_key(key)`, one per distinct set."""
        types = map_types_for_key(key)
        name = self.map_sets.get(id(types))
        if name is None:
            name = self.map_sets[id(types)] = self.const(types)
        return name

    def tmp(self, prefix: str = "t") -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def node_ref(self, node: Node | _DynAt) -> str:
        """Code naming a node for an error: a constant, or the variable `and`/`or` keep it in."""
        if isinstance(node, _DynAt):
            self.read_positions.add(node.var)
            return node.var
        return self.const(node)

    def raise_at(self, node: Node | _DynAt, detail: str) -> None:
        self.emit(f"raise _err(TN, {self.node_ref(node)}, {detail!r})")

    def static_at(self) -> Node:
        return self.at.last if isinstance(self.at, _DynAt) else self.at

    # --- variables ----------------------------------------------------------------------------
    def lookup(self, name: str) -> _Var | None:
        for scope in reversed(self.scopes):
            v = scope.get(name)
            if v is not None:
                return v
        return None

    def declare(self, name: str, iface: bool | str) -> _Var:
        v = _Var(self.tmp("v"), iface)
        self.scopes[-1][name] = v
        return v

    # --- entry --------------------------------------------------------------------------------
    def compile(self, assigns_dollar: bool) -> str:
        self.scopes.append({"$": _Var("d0", False)})
        self.emit("w = out.append")
        if assigns_dollar:  # `{{ $ = … }}` must not change the dot: `$` gets its own local
            self.scopes[0]["$"] = _Var("vD", False)
            self.emit("vD = d0")
        self.emit("F = X.funcs")
        self.statements(self.root)
        return self.finish("def render(X, d0, out, depth):")

    def compile_block(self, block: LazyBlock) -> str:
        """The function running a lazy block's body, its parameters the outer locals the body reads."""
        self.scopes.append({name: _Var(var.py, var.iface) for name, var in block.scope.items()})
        self.dot, self.dot_iface, self.n = block.dot, block.dot_iface, block.n
        self.emit("w = out.append")
        self.emit("F = X.funcs")
        self.statements(self.root)
        return self.finish(f"def render(X, out, depth, {', '.join(block.params)}):")

    def finish(self, header: str) -> str:
        """The function's source: `header` and the generated lines."""
        self.flush()
        # An and/or tested by an `if`: no error ever reads where it stopped, nor where the and/or inside
        # it stopped. A copy comes after the positions it copies, so one backward pass finds them all.
        read = set(self.read_positions)
        for line in reversed(self.lines):
            if isinstance(line, _Position) and line.copied and line.var in read:
                read.add(line.value)
        lines = [
            line if isinstance(line, str) else line.line()
            for line in self.lines
            if isinstance(line, str) or line.var in read
        ]
        return "\n".join([header, *lines])

    def block(self, lst: ListNode | None) -> None:
        self.indent += 1
        start = len(self.lines)
        if lst is not None:
            self.scopes.append({})
            self.statements(lst)
            self.scopes.pop()
        self.flush()
        if len(self.lines) == start:
            self.emit("pass")
        self.indent -= 1

    def statements(self, lst: ListNode) -> None:
        """The statements of a list's nodes, in order. (Not named `list`: inside the class, that name would
        hide the builtin from the annotations.)"""
        text = ""  # text and printed string literals in a row: written by one statement
        for node in lst.nodes:
            self.at = node
            constant = _constant_text(node)
            if constant is not None:
                text += constant
                continue
            if text:
                self.emit(f"w({text!r})")
                text = ""
            if isinstance(node, ActionNode):
                self.keep_recv = not node.pipe.decl and _prints_field(node.pipe)
                v = self.pipeline(node.pipe, consumed_at_once=True)
                self.keep_recv = False
                if not node.pipe.decl:
                    self.at = node
                    walk = self.take_walk(v)
                    if walk is not None:
                        self.emit(f"w(_walk_text({walk}))")
                        continue
                    self.emit(f"w({self.printer(node.pipe, self.in_place(v))})")
            elif isinstance(node, IfNode):
                self.if_or_with(node, False)
            elif isinstance(node, WithNode):
                self.if_or_with(node, True)
            elif isinstance(node, RangeNode):
                self.range(node)
            elif isinstance(node, TemplateNode):
                self.template(node)
            elif isinstance(node, BreakNode):
                self.emit("break")
            elif isinstance(node, ContinueNode):
                self.emit("continue")
        if text:
            self.emit(f"w({text!r})")

    # --- control structures ----------------------------------------------------------------------
    def if_or_with(self, node: IfNode | WithNode, is_with: bool) -> None:
        self.scopes.append({})
        v = self.pipeline(node.pipe, consumed_at_once=not is_with)
        taken = self.take(v)
        if taken is None:
            self.emit(f"if {v}:")
        else:  # a `with` keeps the value as its dot: bound by the test itself
            self.emit(f"if ({v} := {taken.expr}):" if is_with else f"if {taken.expr}:")
        saved = (self.dot, self.dot_iface)
        if is_with:
            self.dot, self.dot_iface = v, False
        self.branch(node.list)
        self.dot, self.dot_iface = saved
        if node.else_list is not None:
            self.emit("else:")
            self.branch(node.else_list)
        self.scopes.pop()

    def branch(self, lst: ListNode | None) -> None:
        """The body of an `if`/`with` or its `else`: inline, or (when it is large and self-contained) a call
        of a `LazyBlock`, so that a branch never taken is neither generated nor compiled."""
        facts = _body_facts(lst, self.facts) if lst is not None and self.lazy_level < _MAX_LAZY_LEVEL else None
        if facts is None or facts[0] < _LAZY_MIN_STATEMENTS:
            self.block(lst)
            return
        assert lst is not None
        args: dict[str, str] = {}  # the outer expression -> the parameter receiving it

        def param(value: str) -> str:
            name = args.get(value)
            if name is None:  # a constant or a literal dot (`with true`) comes in as a parameter too
                name = args[value] = value if _is_local(value) else self.tmp("a")
            return name

        dot = param(self.dot)
        dot_iface = param(self.dot_iface) if isinstance(self.dot_iface, str) else self.dot_iface
        scope: dict[str, _Var] = {}
        for name in sorted(facts[1]):
            var = self.lookup(name)
            if var is not None:
                scope[name] = _Var(param(var.py), param(var.iface) if isinstance(var.iface, str) else var.iface)
        params = tuple(args.values())
        level = self.lazy_level + 1
        block = LazyBlock(self.tmpl, lst, self.opts, scope, dot, dot_iface, self.n, params, level, self.tree_root)
        block.facts = self.facts
        k = self.const(block)
        self.indent += 1
        self.emit(f"({k}.fn or {k}.build())(X, out, depth, {', '.join(args)})")
        self.indent -= 1

    def range(self, node: RangeNode) -> None:
        self.at = node
        self.scopes.append({})
        pipe = node.pipe
        v = self.pipeline(pipe)
        decl = pipe.decl
        keys = len(decl) > 1
        at = self.node_ref(self.at)
        it, empty = self.tmp("it"), self.tmp("e")
        range_int = self.opts.go_version >= (1, 24)
        taken = self.take(v)  # read again for the elements' interface-ness: bound inside the call
        ranged = v if taken is None else f"({v} := {taken.expr})"
        self.emit(f"{it} = _range(TN, {ranged}, {at}, {len(decl)}, {keys}, {range_int})")
        self.emit(f"{empty} = True")
        self.emit(f"if {it} is not None:")
        self.indent += 1
        elem = self.tmp("d")
        elem_iface = self.tmp("i")
        self.emit(f"{elem_iface} = _elem_iface({v})")
        if pipe.is_assign:
            targets = [self.assign_target(d) for d in decl]
        else:
            targets = [self.lookup(d.idents[0]).py for d in decl]  # declared by the pipeline
            if keys:
                self.lookup(decl[1].idents[0]).iface = elem_iface
            elif decl:
                self.lookup(decl[0].idents[0]).iface = elem_iface
        if keys:
            key = self.tmp("k")
            self.emit(f"for {key}, {elem} in {it}:")
        else:
            self.emit(f"for {elem} in {it}:")
        self.indent += 1
        self.emit(f"{empty} = False")
        if keys:
            self.emit(f"{targets[0]} = {key}")
            self.emit(f"{targets[1]} = {elem}")
        elif targets:
            self.emit(f"{targets[0]} = {elem}")
        saved = (self.dot, self.dot_iface)
        self.dot, self.dot_iface = elem, elem_iface
        self.indent -= 1
        self.block(node.list)
        self.dot, self.dot_iface = saved
        self.indent -= 1
        if node.else_list is not None:
            self.emit(f"if {empty}:")
            self.block(node.else_list)
        self.scopes.pop()

    def assign_target(self, var: VariableNode) -> str:
        v = self.lookup(var.idents[0])
        if v is None:
            return self.tmp("x")
        return v.py

    def template(self, node: TemplateNode) -> None:
        self.at = node
        f = self.tmp("f")
        self.assign(f, f"_tmplfn(X, TN, {node.name!r}, {self.const(node)}, depth)")
        d = self.pipeline(node.pipe, consumed_at_once=True) if node.pipe is not None else "None"
        # when the argument needed no code, the lookup is still pending: look up and call in one statement
        self.emit(f"_nested({self.in_place(f)}, X, {d}, out, depth + 1)")

    # --- pipelines ------------------------------------------------------------------------------
    def pipeline(self, pipe: PipeNode, consumed_at_once: bool = False) -> str:
        """Emit the pipeline; returns the name holding its (dug-down) value. Declares its variables.

        `consumed_at_once`: the caller uses the value in the very next statement (an `if` test, a print, a
        template call), so a variable or dot it names need not be copied first."""
        self.at = pipe
        value = "_NOFINAL"
        for i, cmd in enumerate(pipe.cmds):
            value = self.command(cmd, value)
            if i < len(pipe.cmds) - 1:
                value = self._read_now(value)  # the next stage's arguments may assign the variable
        if consumed_at_once and len(pipe.decl) == 1:  # `{{ $x := … }}`: the variable is all that is left
            return self.set_variable(pipe, value)
        out = value
        if value[0] in "vd" and not (consumed_at_once and not pipe.decl):
            # a variable or a dot: copy, so a later assignment cannot alias it
            out = self.tmp()
            self.assign(out, value)
        for var in pipe.decl:
            name = var.idents[0]
            if pipe.is_assign:
                target = self.lookup(name)
                if target is None:
                    self.raise_at(self.at, f"undefined variable: {name}")
                    continue
                self.emit(f"{target.py} = {out}")
            else:
                self.emit(f"{self.declare(name, False).py} = {out}")
        return out

    def _read_now(self, value: str) -> str:
        """A variable's value as read now, held as a pending copy: a later argument may assign it."""
        if value[0] != "v":
            return value
        out = self.tmp()
        self.assign(out, value)
        return out

    def set_variable(self, pipe: PipeNode, value: str) -> str:
        """Declare or assign the pipeline's one variable from `value`; the last line computing the value
        assigns the variable itself when it can (no temporary, no copy). Returns the variable."""
        name = pipe.decl[0].idents[0]
        if pipe.is_assign:
            var = self.lookup(name)
            if var is None:
                self.raise_at(self.at, f"undefined variable: {name}")
                return value
            target = var.py
        else:
            target = self.declare(name, False).py
        self.emit(f"{target} = {self.in_place(value)}")
        return target

    def printer(self, pipe: PipeNode, v: str) -> str:
        """The call giving the text of `v`, by whether Go's printValue may take its address (so that a
        `String()` on the pointer receiver applies): a struct's field is addressable, a map value or a
        call's result is not. A variable, dot or parenthesized pipeline is taken as bound to a field."""
        cmd = pipe.cmds[-1]
        if len(pipe.cmds) > 1 or len(cmd.args) > 1:  # a call's result
            return f"_tx({v})"
        first = cmd.args[0]
        if _prints_field(pipe):
            return f"_txf({v}, {self.last_recv})"
        if isinstance(first, (DotNode, VariableNode, PipeNode)):
            return f"_txa({v})"
        return f"_tx({v})"

    def not_a_function(self, cmd: CommandNode, final: str) -> bool:
        """Go's notAFunction: emits the error when a non-function got arguments; True if it did."""
        if len(cmd.args) > 1:
            self.raise_at(self.at, f"can't give argument to non-function {cmd.args[0]}")
            return True
        if final != "_NOFINAL":
            self.emit(f"if {final} is not _NOFINAL:")
            self.indent += 1
            self.raise_at(self.at, f"can't give argument to non-function {cmd.args[0]}")
            self.indent -= 1
        return False

    def command(self, cmd: CommandNode, final: str) -> str:
        first = cmd.args[0]
        if isinstance(first, FieldNode):
            self.at = first
            return self.chain(self.dot, self.dot_iface, first.idents, first, cmd.args[1:], final, cmd)
        if isinstance(first, ChainNode):
            self.at = first
            head = self.arg_value(first.node)
            return self.chain(head, False, first.fields, first, cmd.args[1:], final, cmd, self.at)
        if isinstance(first, IdentifierNode):
            return self.call(first, cmd, cmd.args[1:], final)
        if isinstance(first, PipeNode):
            if self.not_a_function(cmd, final):
                return "None"
            return self.pipeline(first)
        if isinstance(first, VariableNode):
            return self.variable(first, cmd.args[1:], final, cmd)
        self.at = first
        if self.not_a_function(cmd, final):
            return "None"
        return self.literal_command(first)

    def literal_command(self, node: Node) -> str:
        if isinstance(node, BoolNode):
            return repr(node.value)
        if isinstance(node, DotNode):
            return self.dot
        if isinstance(node, NilNode):
            self.raise_at(node, "nil is not a command")
            return "None"
        if isinstance(node, NumberNode):
            try:
                return self.const(ideal_constant(node))
            except LiteralError as e:
                self.raise_at(node, e.detail)
                return "None"
        if isinstance(node, StringNode):
            return self.const(node.text)
        self.raise_at(node, f"can't evaluate command {go_quote(str(node))}")
        return "None"

    def variable(self, node: VariableNode, args: list[Node], final: str, cmd: CommandNode | None) -> str:
        self.at = node
        name = node.idents[0]
        var = self.lookup(name)
        if var is None:
            self.raise_at(node, f"undefined variable: {name}")
            return "None"
        if len(node.idents) == 1:
            if cmd is not None:
                self.not_a_function(cmd, final)
            return var.py
        return self.chain(var.py, var.iface, node.idents[1:], node, args, final, cmd)

    def chain(
        self,
        recv: str,
        iface: bool | str,
        idents: list[str],
        node: Node,
        args: list[Node],
        final: str,
        cmd: CommandNode | None,
        err_at: Node | _DynAt | None = None,
    ) -> str:
        """Walk `.a.b.c` from `recv`; the last step may be a method call taking `args` and `final`.

        A step fails at `err_at`: the chain's own node, except after a parenthesized head, where Go is
        still at the last node it evaluated inside the parentheses."""
        mk = self.opts.missingkey
        n = self.node_ref(err_at) if err_at is not None else self.const(node)
        cur = prev_recv = recv
        start = 0
        walked = len(idents) - (1 if args or final != "_NOFINAL" else 0)
        if (
            walked >= 2 and mk == "zero" and isinstance(iface, bool) and not isinstance(err_at, _DynAt)
        ):  # the steps that only read fields: one `_walk` call instead of a line per step
            at = err_at or node
            steps = tuple(
                (name, map_types_for_key(name), self.tmpl, at, iface if i == 0 else True, i == len(idents) - 1)
                for i, name in enumerate(idents[:walked])
            )
            out = self.tmp()
            if self.keep_recv and walked == len(idents):
                prev_recv = self.tmp()
                self.pending.append(_WalkPair(self.indent, prev_recv, out, f"{cur}, {self.const(steps)}"))
            else:
                prev_recv = "None"  # unread: only a printed field and a later field step need it
                self.assign(out, f"_walk({cur}, {self.const(steps)})")
            cur, start = out, walked
        for i, name in enumerate(idents[start:], start):
            out = self.tmp()
            hop_iface = iface if i == 0 else True
            last = i == len(idents) - 1
            if last and (args or final != "_NOFINAL"):
                arg_names = [self.method_arg(a) for a in args]
                self.at = node
                tup = "(" + "".join(a + ", " for a in arg_names) + ")"
                self.assign(out, f"_hopargs(TN, {cur}, {name!r}, {n}, {hop_iface}, {mk!r}, {tup}, {final})")
            else:
                if isinstance(hop_iface, bool) and not isinstance(err_at, _DynAt):
                    site = rt.hop_site(self.tmpl, name, err_at or node, hop_iface, mk, last)
                    prev = f", {prev_recv}" if i else ""  # what `cur` was read from, for error texts
                    slow = f"{self.const(site)}({cur}{prev})"  # short code: compiling is the costly part
                else:
                    slow = f"_hop(TN, {cur}, {name!r}, {n}, {hop_iface}, {mk!r}, {last})"
                # a plain dict, or a named map type without a method of this name (Go tries methods first)
                is_map = f"{cur}.__class__ in {self.map_types(name)}"
                if mk == "zero":
                    fast = f"{cur}.get({name!r}) if {is_map}"
                elif mk == "error":
                    fast = f"{cur}[{name!r}] if ({is_map}) and {name!r} in {cur}"
                else:
                    fast = f"{cur}.get({name!r}, _MISSING) if {is_map}"
                self.assign(out, f"{fast} else {slow}")
            prev_recv, cur = cur, out
        if mk != "error" and mk != "zero":
            self.emit(f"if {cur} is _MISSING: {cur} = None")
        self.last_recv = prev_recv
        return cur

    # --- arguments and calls ----------------------------------------------------------------------
    def arg_value(self, node: Node) -> str:
        """Go's evalArg for a non-literal argument (literals are left to the call plan)."""
        self.at = node
        if isinstance(node, DotNode):
            return self.dot
        if isinstance(node, FieldNode):
            return self.chain(self.dot, self.dot_iface, node.idents, node, [], "_NOFINAL", None)
        if isinstance(node, VariableNode):
            return self._read_now(self.variable(node, [], "_NOFINAL", None))
        if isinstance(node, PipeNode):
            return self.pipeline(node)
        if isinstance(node, IdentifierNode):
            return self.call(node, node, [], "_NOFINAL")
        if isinstance(node, ChainNode):
            head = self.arg_value(node.node)
            return self.chain(head, False, node.fields, node, [], "_NOFINAL", None, self.at)
        return "None"

    def method_arg(self, node: Node) -> str:
        """An argument of a method call: literals take their untyped-constant value."""
        if isinstance(node, NilNode):
            return "None"
        if isinstance(node, (BoolNode, NumberNode, StringNode)):
            self.at = node
            try:
                return self.const(_literal(node))
            except LiteralError as e:
                self.raise_at(node, e.detail)
                return "None"
        return self.arg_value(node)

    def arg_iface(self, node: Node) -> bool:
        """Whether a nil from this argument is a nil interface (only containers of interfaces hold nils)."""
        if isinstance(node, (FieldNode, ChainNode)):
            return True
        if isinstance(node, DotNode):
            return bool(self.dot_iface)
        if isinstance(node, VariableNode):
            if len(node.idents) > 1:
                return True
            var = self.lookup(node.idents[0])
            return bool(var.iface) if var is not None else False
        return False

    def call(self, ident: IdentifierNode, err_node: Node, args: list[Node], final: str) -> str:
        self.at = ident
        name = ident.ident
        if name in ("and", "or") and self.opts.lazy_and_or:
            return self.and_or(ident, name, args, final)
        arg_infos: list[Arg] = []
        evaluated: list[str] = []
        site_args = []
        plan = self.tmp("p")
        out = self.tmp()
        # The plan (arity check) comes first, as in Go, then arguments left to right.
        cs = CallSite(self.tmpl, name, ident, err_node, site_args, final != "_NOFINAL", ident, self.opts.builtins)
        cs_name = self.const(cs)
        plan_pending = self.assign(plan, f"{cs_name}.plan(F)")
        for a in args:
            if isinstance(a, (BoolNode, NumberNode, StringNode, NilNode)):
                self.at = a
                try:
                    ideal = None if isinstance(a, NilNode) else _literal(a)
                except LiteralError:
                    ideal = None
                arg_infos.append(Arg(a, a, False, ideal))
                evaluated.append("None" if ideal is None else self.const(ideal))
                continue
            iface = self.arg_iface(a)
            v = self.arg_value(a)
            arg_infos.append(Arg(a, self.static_at(), iface))
            evaluated.append(v)
        site_args.extend(arg_infos)
        cs.final_at = self.static_at()
        tup = "(" + "".join(e + ", " for e in evaluated) + ")"
        if self.take(plan) is not None:  # no argument needed code of its own: one statement does it all
            previous = self.take(final, nested=True)
            if previous is None:
                self.assign(out, f"{cs_name}.plan(F)({tup}, {final})")
            else:  # the previous stage's one line goes inside, evaluated before this stage's plan
                self.assign(out, f"{cs_name}.run(F, {tup}, {previous.expr})", previous.nesting + 1)
            return out
        inlined = self.inline_arguments(plan_pending, evaluated)
        if inlined is None:
            self.assign(out, f"{plan}({tup}, {final})")
        else:  # the callee expression is evaluated before the arguments: the plan still comes first
            items, nesting = inlined
            self.assign(out, f"{cs_name}.plan(F)(({items}), {final})", nesting)
        return out

    def inline_arguments(self, plan: _Assignment, evaluated: list[str]) -> tuple[str, int] | None:
        """The argument tuple's items with each argument's code in place of its temporary, when that code is
        one pending assignment per argument (the usual field read or nested call), and the nesting of the
        call taking them: one line to compile instead of several. Takes those assignments and the `plan`
        before them; None (taking nothing) when the plan was written or anything else is pending after it."""
        if plan not in self.pending:
            return None
        first = self.pending.index(plan) + 1
        exprs: dict[str, str] = {}
        nesting = 0
        for pending in self.pending[first:]:
            if (
                not isinstance(pending, _Assignment)
                or pending.indent != self.indent
                or pending.target not in evaluated
                or pending.nesting >= _MAX_NESTING
            ):
                return None
            exprs[pending.target] = pending.expr
            nesting = max(nesting, pending.nesting + 1)
        del self.pending[first - 1 :]
        return "".join(exprs.get(e, e) + ", " for e in evaluated), nesting

    def and_or(self, ident: IdentifierNode, name: str, args: list[Node], final: str) -> str:
        """`and`/`or` evaluate arguments only until the result is known (Go >= 1.18).

        The code stays flat (one `if` per argument, not nested), so any number of arguments compiles."""
        out = self.tmp()
        go_on = self.tmp("g")
        at_var = self.tmp("at")
        has_final = final != "_NOFINAL"
        if not args and not has_final:
            self.raise_at(ident, f"wrong number of args for {name}: want at least 1 got 0")
            return "None"
        go_on_if = ("True", "False") if name == "and" else ("False", "True")
        values = [*args, None] if has_final else list(args)
        for i, a in enumerate(values):
            if i:
                self.emit(f"if {go_on}:")
                self.indent += 1
            if a is None:
                value = final
            elif isinstance(a, (BoolNode, NumberNode, StringNode, NilNode)):
                self.at = a
                try:
                    value = "None" if isinstance(a, NilNode) else self.const(_literal(a))
                except LiteralError as e:
                    self.raise_at(a, e.detail)
                    value = "None"
            else:
                value = self.arg_value(a)
            # each argument assigns `out`, so it is written, never pending; but for the last, the test binds it
            if i < len(values) - 1:
                yes, no = go_on_if
                self.emit(f"{go_on} = {yes} if ({out} := {self.in_place(value)}) else {no}")
            else:
                self.emit(f"{out} = {self.in_place(value)}")
            # only code after the and/or reads where it stopped, so the position may follow the test
            at = self.at  # a copy reads `at.var` only if its own variable is read (see `compile`)
            position = at.var if isinstance(at, _DynAt) else self.const(at)
            self.lines.append(_Position(self.indent, at_var, position, isinstance(at, _DynAt)))
            if i:
                self.indent -= 1
        self.at = _DynAt(at_var, self.static_at())
        return out


# A body is compiled lazily from this many statements on; lazy blocks nest at most this deep (each level
# is one more Python frame per template level, and recursive templates need their frames).
_LAZY_MIN_STATEMENTS = 4
_MAX_LAZY_LEVEL = 3

# How deep pending expressions are put inside each other: each level adds at most two parentheses, and
# Python's parser refuses 200 nested ones.
_MAX_NESTING = 40


def _constant_text(node: Node) -> str | None:
    """What a node writes when that is fixed: its text, or a printed string literal (`{{ "{{" }}`)."""
    if isinstance(node, TextNode):
        return node.text
    if isinstance(node, ActionNode) and not node.pipe.decl and len(node.pipe.cmds) == 1:
        args = node.pipe.cmds[0].args
        if len(args) == 1 and isinstance(args[0], StringNode):
            return args[0].text
    return None


def _prints_field(pipe: PipeNode) -> bool:
    """Whether an action printing `pipe` passes the field's receiver to `_txf` (see `printer`)."""
    if len(pipe.cmds) != 1 or len(pipe.cmds[0].args) != 1:
        return False
    first = pipe.cmds[0].args[0]
    return isinstance(first, (FieldNode, ChainNode)) or (isinstance(first, VariableNode) and len(first.idents) > 1)


def _literal(node: Node) -> Any:
    if isinstance(node, BoolNode):
        return node.value
    if isinstance(node, StringNode):
        return node.text
    return ideal_constant(node)  # type: ignore[arg-type]


_RUNTIME_GLOBALS = {
    "_err": rt.exec_error,
    "_tx": rt.text_of,
    "_txa": rt.text_of_addressable,
    "_txf": rt.text_of_field,
    "_hop": rt.hop,
    "_hopargs": rt.hop_with_args,
    "_walk": rt.walk,
    "_walk_pair": rt.walk_pair,
    "_walk_text": rt.walk_text,
    "_range": rt.range_items,
    "_elem_iface": rt.elements_are_interfaces,
    "_nested": rt.nested,
    "_tmplfn": rt.template_function,
    "_MISSING": rt.MISSING,
    "_NOFINAL": rt.NO_FINAL,
}


def compile_tree(tree: Tree, opts: Options) -> Any:
    """The render function of one tree."""
    c = _Compiler(tree.name, tree.root, opts)
    return _function(c.compile(tree.assigns_dollar), c.consts, tree.name)


# Generated code by its text: a chart's subcharts repeat the same helpers (`fullname`, `namespace`, ...)
# under other names, and many small branches generate the same lines; their constants (nodes, call sites)
# differ, their code does not. A shared code object names the template that generated it first.
_CODE: dict[str, CodeType] = {}
_CODE_SIZE = 8192


def clear_code() -> None:
    """Forget the compiled code of every generated text (with the template cache, for cold measurements)."""
    _CODE.clear()


def _function(source: str, consts: dict[str, Any], tmpl: str) -> Any:
    consts["TN"] = tmpl
    env = dict(_RUNTIME_GLOBALS)
    env.update(consts)
    code = _CODE.get(source)
    if code is None:
        code = compile(source, f"<template {tmpl}>", "exec")
        if len(_CODE) >= _CODE_SIZE:
            _CODE.clear()  # as the template cache: simple, thread-safe, and a real workload fills it again
        _CODE[source] = code
    exec(code, env)
    render = env["render"]
    render.consts = consts
    return render


class LazyBlock:
    """A branch body of a template, compiled into a function of its own on its first execution.

    A chart's templates are mostly branches its values leave untaken (a pod spec's optional fields, a
    rule's extra labels), and generating and compiling code is most of a first render: a large body that
    neither assigns an outer variable nor breaks out of a loop is compiled only when it runs. The generated
    code calls `(k.fn or k.build())(X, out, depth, *params)`, `params` being the outer locals the body
    reads (the dot, the variables it names and their interface flags).

    `root` is the body of the whole template the block is part of. A block loaded from the template cache
    may come without its body (`body` None): `find_body` then parses its template's text again and returns
    that root and the body, which is cheaper than storing every untaken branch's parse tree."""

    __slots__ = (
        "body",
        "dot",
        "dot_iface",
        "facts",
        "find_body",
        "fn",
        "level",
        "n",
        "opts",
        "params",
        "root",
        "scope",
        "tmpl",
    )

    def __init__(
        self,
        tmpl: str,
        body: ListNode | None,
        opts: Options,
        scope: dict[str, _Var],
        dot: str,
        dot_iface: bool | str,
        n: int,
        params: tuple[str, ...],
        level: int = 1,
        root: ListNode | None = None,
    ):
        self.tmpl = tmpl
        self.body = body
        self.root = body if root is None else root
        self.opts = opts
        self.scope = scope
        self.dot = dot
        self.dot_iface = dot_iface
        self.n = n  # the outer compiler's name counter: new temporaries never shadow a parameter
        self.params = params
        self.level = level
        self.fn: Any = None
        self.facts: dict[ListNode, _Facts] = {}  # the outer compiler's, when it made this block
        self.find_body: Callable[[], tuple[ListNode, ListNode]] | None = None

    def build(self) -> Any:
        """Compile the body (once; a race compiles it twice, harmlessly) and return its function."""
        body, root = self.body, self.root
        if body is None or root is None:
            assert self.find_body is not None
            root, body = self.find_body()
            self.root, self.body = root, body
        c = _Compiler(self.tmpl, body, self.opts)
        c.lazy_level = self.level
        c.facts = self.facts
        c.tree_root = root
        try:
            fn = _function(c.compile_block(self), c.consts, self.tmpl)
        except (RecursionError, MemoryError, SyntaxError) as e:
            raise TemplateExecError(
                f"template: {self.tmpl}: template too deeply nested to compile ({type(e).__name__})"
            ) from None
        self.fn = fn
        return fn


def compiled_block(fn: Any) -> LazyBlock:
    """A block already compiled: only its function is needed (what the template cache loads)."""
    block = LazyBlock.__new__(LazyBlock)
    block.fn = fn
    return block


def _is_local(code: str) -> bool:
    """Whether generated code names a local of the render function (a variable, the dot, a temporary, an
    interface flag), which a lazy block's parameter may keep the name of; constants are module globals."""
    return code == "vD" or (code[0] in "dvti" and code[1:].isdigit())


_Facts = tuple[int, frozenset[str]] | None
_UNSEEN: Any = object()


def _body_facts(lst: ListNode, memo: dict[ListNode, _Facts]) -> _Facts:
    """How many statements a body holds (nested ones counted) and the variables it names; None when it
    cannot run as a function of its own: it assigns a variable (`=`) or breaks out of or continues a loop.

    One pass over the lists below `lst` not seen yet, the innermost first, so that the bodies nested in
    each other are walked once in all (`memo`, shared by the compilers of a template's blocks)."""
    found = memo.get(lst, _UNSEEN)
    if found is not _UNSEEN:
        return found  # type: ignore[no-any-return]
    order: list[ListNode] = []
    stack = [lst]
    while stack:
        body = stack.pop()
        if body in memo:
            continue
        order.append(body)
        for node in body.nodes:
            if isinstance(node, BranchNode):
                stack += [sub for sub in (node.list, node.else_list) if sub is not None]
    for body in reversed(order):  # each after the lists inside it
        memo[body] = _list_facts(body, memo)
    return memo[lst]


def _list_facts(body: ListNode, memo: dict[ListNode, _Facts]) -> _Facts:
    count = len(body.nodes)
    names: set[str] = set()
    for node in body.nodes:
        if isinstance(node, (BreakNode, ContinueNode)):
            return None
        if isinstance(node, BranchNode):
            for sub in (node.list, node.else_list):
                if sub is not None:
                    facts = memo[sub]
                    if facts is None:
                        return None
                    count += facts[0]
                    names |= facts[1]
        if isinstance(node, (ActionNode, BranchNode, TemplateNode)) and not _pipe_names(node.pipe, names):
            return None
    return count, frozenset(names)


def _pipe_names(pipe: PipeNode | None, names: set[str]) -> bool:
    """Add the variables a pipeline names to `names`; False when it assigns one."""
    stack: list[Node | None] = [pipe]
    while stack:
        node = stack.pop()
        if isinstance(node, PipeNode):
            if node.is_assign:
                return False
            stack += node.decl
            stack += node.cmds
        elif isinstance(node, CommandNode):
            stack += node.args
        elif isinstance(node, ChainNode):
            stack.append(node.node)
        elif isinstance(node, VariableNode):
            names.add(node.idents[0])
    return True


def render_parts(render: Any) -> tuple[Any, dict[str, Any]]:
    """A compiled render function as (code object, its constants): what a cross-process cache keeps, since
    the code marshals and the constants (nodes, call sites, literals) pickle."""
    return render.__code__, render.consts


def revive_render(code: Any, consts: dict[str, Any]) -> Any:
    """The render function `render_parts` took apart, bound to this process's runtime."""
    env = dict(_RUNTIME_GLOBALS)
    env.update(consts)
    render = FunctionType(code, env, "render")
    render.consts = consts
    return render
