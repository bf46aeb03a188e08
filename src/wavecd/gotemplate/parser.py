"""Parse template text into trees, the way Go's `text/template/parse` does, errors included.

The parser mirrors Go's recursive descent and its token look-ahead, because Go's parse errors report the
line of the *most recently scanned* token: reproducing the messages means reproducing the look-ahead.

Names and string literals are interned: a chart repeats a few thousand of them tens of thousands of times
(`Values`, `include`, `nindent`), and one object per name keeps the template cache entry small and quick
to load (pickle stores a repeated object once).
"""

from __future__ import annotations

from collections.abc import Callable
from sys import intern

from wavecd.core.goquote import quote as go_quote
from wavecd.gotemplate import lexer as lx
from wavecd.gotemplate.errors import TemplateParseError
from wavecd.gotemplate.literals import parse_number, unquote
from wavecd.gotemplate.nodes import (
    ActionNode,
    BoolNode,
    BranchNode,
    BreakNode,
    ChainNode,
    CommandNode,
    ContinueNode,
    DotNode,
    ElseNode,
    EndNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    Source,
    StringNode,
    TemplateNode,
    TextNode,
    Tree,
    VariableNode,
    WithNode,
    is_empty_tree,
)

MAX_STACK_DEPTH = 10000
MAX_PIPELINE_CMDS = 100000

_SPACE, _FIELD, _IDENTIFIER, _VARIABLE, _DOT = lx.SPACE, lx.FIELD, lx.IDENTIFIER, lx.VARIABLE, lx.DOT
_QUOTED = frozenset((lx.STRING, lx.RAW_STRING))
_COMMAND_ENDS = frozenset((lx.RIGHT_DELIM, lx.RIGHT_PAREN, lx.PIPE))

_OPERAND_START = frozenset(
    (
        lx.BOOL,
        lx.CHAR_CONSTANT,
        lx.COMPLEX,
        lx.DOT,
        lx.FIELD,
        lx.IDENTIFIER,
        lx.NUMBER,
        lx.NIL,
        lx.RAW_STRING,
        lx.STRING,
        lx.VARIABLE,
        lx.LEFT_PAREN,
    )
)


class _Abort(Exception):
    """Internal: unwinds the parser to `parse_templates`, which raises the TemplateParseError."""


class _Stream:
    """The token list with Go's peek/backup discipline; `latest` is Go's `t.token[0]` (for error lines)."""

    __slots__ = ("hw", "i", "latest", "tokens")

    def __init__(self, tokens: list[lx.Token]):
        self.tokens = tokens
        self.i = 0
        self.hw = 0
        self.latest = tokens[0]

    def next(self) -> lx.Token:
        tokens = self.tokens
        i = self.i
        tok = tokens[i] if i < len(tokens) else tokens[-1]
        i += 1
        self.i = i
        if i > self.hw:
            self.hw = i
            self.latest = tok
        return tok

    def backup(self, n: int = 1) -> None:
        self.i -= n

    def peek(self) -> lx.Token:
        tokens = self.tokens
        i = self.i
        tok = tokens[i] if i < len(tokens) else tokens[-1]
        if i >= self.hw:
            self.hw = i + 1
            self.latest = tok
        return tok


class _TreeParser:
    """Parses one template body (the top level or one define/block) sharing the stream and the tree set."""

    def __init__(self, name: str, p: _Parse):
        self.name = name
        self.p = p
        self.s = p.stream
        self.vars = ["$"]
        self.range_depth = 0
        self.stack_depth = 0
        self.action_line = 0
        self.root: ListNode | None = None
        self.assigns_dollar = False

    # --- errors -----------------------------------------------------------------------------
    def errorf(self, msg: str) -> None:
        raise _Abort(f"template: {self.p.source.parse_name}:{self.s.latest.line}: {msg}")

    def unexpected(self, tok: lx.Token, context: str) -> None:
        if tok.typ == lx.ERROR:
            extra = ""
            if self.action_line != 0 and self.action_line != tok.line:
                extra = f" in action started at {self.p.source.parse_name}:{self.action_line}"
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            self.errorf(f"{tok.val}{extra}")
        self.errorf(f"unexpected {tok.describe()} in {context}")

    # --- token helpers ----------------------------------------------------------------------
    def next_non_space(self) -> lx.Token:
        """`_Stream.next` until a token that is not a space, in one call: the parser's commonest step."""
        s = self.s
        tokens = s.tokens
        i = s.i
        last = len(tokens) - 1
        tok = tokens[i] if i <= last else tokens[last]
        i += 1
        while tok.typ == _SPACE:
            tok = tokens[i] if i <= last else tokens[last]
            i += 1
        s.i = i
        if i > s.hw:  # the furthest token read so far is this one
            s.hw = i
            s.latest = tok
        return tok

    def peek_non_space(self) -> lx.Token:
        tok = self.next_non_space()
        self.s.backup()
        return tok

    def expect(self, typ: int, context: str) -> lx.Token:
        tok = self.next_non_space()
        if tok.typ != typ:
            self.unexpected(tok, context)
        return tok

    # --- structure --------------------------------------------------------------------------
    def parse_top(self) -> None:
        s = self.s
        self.root = ListNode(s.peek().pos, self.p.source)
        while s.peek().typ != lx.EOF:
            if s.peek().typ == lx.LEFT_DELIM:
                at_delim = s.i
                s.next()
                if self.next_non_space().typ == lx.DEFINE:
                    _TreeParser("definition", self.p).parse_definition()
                    continue
                s.i = at_delim  # Go's backup2: read the delimiter and what follows it again
            n = self.text_or_action()
            if isinstance(n, (EndNode, ElseNode)):
                self.errorf(f"unexpected {n}")
            self.root.nodes.append(n)

    def parse_definition(self) -> None:
        context = "define clause"
        tok = self.next_non_space()
        if tok.typ not in (lx.STRING, lx.RAW_STRING):
            self.unexpected(tok, context)
        self.name = self.unquote(tok.val)
        self.expect(lx.RIGHT_DELIM, context)
        self.root, end = self.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.p.add(self)

    def item_list(self) -> tuple[ListNode, Node]:
        lst = ListNode(self.peek_non_space().pos, self.p.source)
        while self.peek_non_space().typ != lx.EOF:
            n = self.text_or_action()
            if isinstance(n, (EndNode, ElseNode)):
                return lst, n
            lst.nodes.append(n)
        self.errorf("unexpected EOF")
        raise AssertionError

    def text_or_action(self) -> Node:
        tok = self.next_non_space()
        if tok.typ == lx.TEXT:
            return TextNode(tok.pos, self.p.source, tok.val)
        if tok.typ == lx.LEFT_DELIM:
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(tok, "input")
        raise AssertionError

    def action(self) -> Node:
        tok = self.next_non_space()
        typ = tok.typ
        handler = _CONTROLS.get(typ)
        if handler is not None:
            return handler(self, tok)
        self.s.backup()
        tok = self.s.peek()
        return ActionNode(tok.pos, self.p.source, tok.line, self.pipeline("command", lx.RIGHT_DELIM))

    def break_control(self, tok: lx.Token) -> Node:
        t = self.next_non_space()
        if t.typ != lx.RIGHT_DELIM:
            self.unexpected(t, "{{break}}")
        if self.range_depth == 0:
            self.errorf("{{break}} outside {{range}}")
        return BreakNode(tok.pos, self.p.source, tok.line)

    def continue_control(self, tok: lx.Token) -> Node:
        t = self.next_non_space()
        if t.typ != lx.RIGHT_DELIM:
            self.unexpected(t, "{{continue}}")
        if self.range_depth == 0:
            self.errorf("{{continue}} outside {{range}}")
        return ContinueNode(tok.pos, self.p.source, tok.line)

    def pipeline(self, context: str, end: int) -> PipeNode:
        s = self.s
        tok = self.peek_non_space()
        pipe = PipeNode(tok.pos, self.p.source, tok.line)
        while True:  # declarations
            v = self.peek_non_space()
            if v.typ != lx.VARIABLE:
                break
            at_var = s.i
            s.next()
            nxt = self.peek_non_space()
            if nxt.typ in (lx.ASSIGN, lx.DECLARE):
                pipe.is_assign = nxt.typ == lx.ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, self.p.source, [intern(v.val)]))
                self.vars.append(v.val)
                break
            if nxt.typ == lx.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, self.p.source, [intern(v.val)]))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (lx.VARIABLE, lx.RIGHT_DELIM, lx.RIGHT_PAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            s.i = at_var  # not a declaration: read the variable again as an operand
            break
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                self.check_pipeline(pipe, context)
                if pipe.is_assign and any(d.idents[0] == "$" for d in pipe.decl):
                    self.assigns_dollar = True
                return pipe
            if tok.typ in _OPERAND_START:
                s.backup()
                pipe.cmds.append(self.command())
                if len(pipe.cmds) > MAX_PIPELINE_CMDS:
                    self.errorf("pipeline too long")
            else:
                self.unexpected(tok, context)

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:]):
            if isinstance(c.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def parse_control(self, context: str, cls: type[BranchNode]) -> BranchNode:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, lx.RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            lst, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list = None
            if isinstance(nxt, ElseNode):
                if context == "if" and self.s.peek().typ == lx.IF:
                    self.s.next()
                    else_list = ListNode(nxt.pos, self.p.source, [self.parse_control("if", IfNode)])
                elif context == "with" and self.s.peek().typ == lx.WITH:
                    self.s.next()
                    else_list = ListNode(nxt.pos, self.p.source, [self.parse_control("with", WithNode)])
                else:
                    else_list, nxt = self.item_list()
                    if not isinstance(nxt, EndNode):
                        self.errorf(f"expected end; found {nxt}")
            return cls(pipe.pos, self.p.source, pipe.line, pipe, lst, else_list, context)
        finally:
            del self.vars[mark:]

    def if_control(self, tok: lx.Token) -> Node:
        return self.parse_control("if", IfNode)

    def range_control(self, tok: lx.Token) -> Node:
        return self.parse_control("range", RangeNode)

    def with_control(self, tok: lx.Token) -> Node:
        return self.parse_control("with", WithNode)

    def end_control(self, tok: lx.Token) -> Node:
        return EndNode(self.expect(lx.RIGHT_DELIM, "end").pos, self.p.source)

    def else_control(self, tok: lx.Token) -> Node:
        peek = self.peek_non_space()
        if peek.typ in (lx.IF, lx.WITH):
            return ElseNode(peek.pos, self.p.source, peek.line)
        t = self.expect(lx.RIGHT_DELIM, "else")
        return ElseNode(t.pos, self.p.source, t.line)

    def block_control(self, tok: lx.Token) -> Node:
        context = "block clause"
        t = self.next_non_space()
        name = self.template_name(t, context)
        pipe = self.pipeline(context, lx.RIGHT_DELIM)
        block = _TreeParser(name, self.p)
        block.root, end = block.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.p.add(block)
        return TemplateNode(t.pos, self.p.source, t.line, name, pipe)

    def template_control(self, tok: lx.Token) -> Node:
        context = "template clause"
        t = self.next_non_space()
        name = self.template_name(t, context)
        pipe = None
        if self.next_non_space().typ != lx.RIGHT_DELIM:
            self.s.backup()
            pipe = self.pipeline(context, lx.RIGHT_DELIM)
        return TemplateNode(t.pos, self.p.source, t.line, name, pipe)

    def template_name(self, tok: lx.Token, context: str) -> str:
        if tok.typ in (lx.STRING, lx.RAW_STRING):
            return self.unquote(tok.val)
        self.unexpected(tok, context)
        raise AssertionError

    def unquote(self, quoted: str) -> str:
        try:
            return unquote(quoted)
        except ValueError as e:
            self.errorf(str(e))
            raise AssertionError from None

    # --- commands and operands ----------------------------------------------------------------
    def command(self) -> CommandNode:
        simple = self.simple_command()
        if simple is not None:
            return simple
        s = self.s
        cmd = CommandNode(self.peek_non_space().pos, self.p.source)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = s.next()
            if tok.typ == lx.SPACE:
                continue
            if tok.typ in (lx.RIGHT_DELIM, lx.RIGHT_PAREN):
                s.backup()
            elif tok.typ != lx.PIPE:
                self.unexpected(tok, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def simple_command(self) -> CommandNode | None:
        """The command at the stream when it is made of the common operands only (fields, variables,
        function names, strings, the dot, with field chains) and ends well, read in one loop: what `command`
        makes of it, token for token, with the stream left as `command` leaves it. None, having moved
        nothing, for anything else (numbers, parentheses, any error): `command` then reads it."""
        s = self.s
        tokens = s.tokens
        n = len(tokens)
        i = s.i
        while i < n and tokens[i].typ == _SPACE:
            i += 1
        if i >= n:
            return None
        p = self.p
        src = p.source
        args: list[Node] = []
        cmd = CommandNode(tokens[i].pos, src, args)
        while True:
            tok = tokens[i]
            typ = tok.typ
            node: Node
            if typ == _FIELD:
                node = FieldNode(tok.pos, src, [intern(tok.val[1:])])
            elif typ == _IDENTIFIER:
                if not p.has_function(tok.val):
                    return None
                p.identifiers.add(tok.val)
                node = IdentifierNode(tok.pos, src, intern(tok.val))
            elif typ == _VARIABLE:
                if tok.val.split(".")[0] not in self.vars:
                    return None
                node = VariableNode(tok.pos, src, [intern(tok.val)])
            elif typ == _DOT:
                node = DotNode(tok.pos, src)
            elif typ in _QUOTED:
                try:
                    node = StringNode(tok.pos, src, intern(tok.val), intern(unquote(tok.val)))
                except ValueError:
                    return None
            else:
                return None
            i += 1
            if i < n and tokens[i].typ == _FIELD:  # a field chain on the term, as `operand` reads it
                if typ != _FIELD and typ != _VARIABLE and typ != _IDENTIFIER:
                    return None
                chain_pos = tokens[i].pos
                fields = []
                while i < n and tokens[i].typ == _FIELD:
                    fields.append(intern(tokens[i].val[1:]))
                    i += 1
                if isinstance(node, FieldNode):
                    node = FieldNode(chain_pos, src, node.idents + fields)
                elif isinstance(node, VariableNode):
                    node = VariableNode(chain_pos, src, node.idents + fields)
                else:
                    node = ChainNode(chain_pos, src, node, fields)
            args.append(node)
            while i < n and tokens[i].typ == _SPACE:
                i += 1
            if i >= n:
                return None
            typ = tokens[i].typ
            if typ in _COMMAND_ENDS:
                break
            if tokens[i - 1].typ != _SPACE:  # two operands without a space between: `command`'s error
                return None
        # `command` read up to the end token (reading back a delimiter, consuming a pipe)
        s.i = i + 1 if typ == lx.PIPE else i
        if i + 1 > s.hw:
            s.hw = i + 1
            s.latest = tokens[i]
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        s = self.s
        if s.peek().typ == lx.FIELD:
            chain_pos = s.peek().pos
            fields = []
            while s.peek().typ == lx.FIELD:
                fields.append(intern(s.next().val[1:]))
            if isinstance(node, FieldNode):
                return FieldNode(chain_pos, self.p.source, node.idents + fields)
            if isinstance(node, VariableNode):
                return VariableNode(chain_pos, self.p.source, node.idents + fields)
            if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
                self.errorf(f"unexpected . after term {go_quote(str(node))}")
            return ChainNode(chain_pos, self.p.source, node, fields)
        return node

    def term(self) -> Node | None:
        tok = self.next_non_space()
        typ = tok.typ
        src = self.p.source
        if typ == lx.IDENTIFIER:
            if not self.p.has_function(tok.val):
                self.errorf(f"function {go_quote(tok.val)} not defined")
            self.p.identifiers.add(tok.val)
            return IdentifierNode(tok.pos, src, intern(tok.val))
        if typ == lx.DOT:
            return DotNode(tok.pos, src)
        if typ == lx.NIL:
            return NilNode(tok.pos, src)
        if typ == lx.VARIABLE:
            return self.use_var(tok)
        if typ == lx.FIELD:
            return FieldNode(tok.pos, src, [intern(tok.val[1:])])
        if typ == lx.BOOL:
            return BoolNode(tok.pos, src, tok.val == "true")
        if typ in (lx.CHAR_CONSTANT, lx.COMPLEX, lx.NUMBER):
            try:
                num = parse_number(tok.val, typ == lx.CHAR_CONSTANT, typ == lx.COMPLEX)
            except ValueError as e:
                self.errorf(str(e))
            return NumberNode(
                tok.pos,
                src,
                tok.val,
                num.is_int,
                num.is_uint,
                num.is_float,
                num.is_complex,
                num.int64,
                num.uint64,
                num.float64,
                num.complex128,
            )
        if typ == lx.LEFT_PAREN:
            if self.stack_depth >= MAX_STACK_DEPTH:
                self.errorf("max expression depth exceeded")
            self.stack_depth += 1
            try:
                return self.pipeline("parenthesized pipeline", lx.RIGHT_PAREN)
            finally:
                self.stack_depth -= 1
        if typ in (lx.STRING, lx.RAW_STRING):
            return StringNode(tok.pos, src, intern(tok.val), intern(self.unquote(tok.val)))
        self.s.backup()
        return None

    def use_var(self, tok: lx.Token) -> Node:
        name = tok.val.split(".")[0]
        if name not in self.vars:
            self.errorf(f"undefined variable {go_quote(name)}")
        return VariableNode(tok.pos, self.p.source, [intern(tok.val)])


_CONTROLS: dict[int, Callable[[_TreeParser, lx.Token], Node]] = {
    lx.BLOCK: _TreeParser.block_control,
    lx.BREAK: _TreeParser.break_control,
    lx.CONTINUE: _TreeParser.continue_control,
    lx.ELSE: _TreeParser.else_control,
    lx.END: _TreeParser.end_control,
    lx.IF: _TreeParser.if_control,
    lx.RANGE: _TreeParser.range_control,
    lx.TEMPLATE: _TreeParser.template_control,
    lx.WITH: _TreeParser.with_control,
}


class _Parse:
    """One call of Go's parse.Parse: the stream, the function check and the set of trees it produces."""

    def __init__(self, name: str, text: str, has_function: Callable[[str], bool], go_version: tuple[int, int]):
        self.source = Source(name, text)
        self.has_function = has_function
        tokens = lx.lex(
            text,
            break_ok=not has_function("break"),
            continue_ok=not has_function("continue"),
            count_comment_lines=go_version >= (1, 24),
        )
        self.stream = _Stream(tokens)
        self.trees: dict[str, Tree] = {}
        self.identifiers: set[str] = set()

    def add(self, tp: _TreeParser) -> None:
        old = self.trees.get(tp.name)
        if old is None or is_empty_tree(old.root):
            self.trees[tp.name] = Tree(tp.name, self.source, tp.root, tp.assigns_dollar)
            return
        if not is_empty_tree(tp.root):
            tp.errorf(f"template: multiple definition of template {go_quote(tp.name)}")


def parse_templates(
    name: str, text: str, has_function: Callable[[str], bool], go_version: tuple[int, int] = (1, 25)
) -> tuple[dict[str, Tree], set[str]]:
    """Parse `text` as template `name`; returns every tree it defines and the function names it uses."""
    p = _Parse(name, text, has_function, go_version)
    top = _TreeParser(name, p)
    try:
        top.parse_top()
        p.add(top)
    except _Abort as e:
        raise TemplateParseError(str(e)) from None
    except RecursionError:
        raise TemplateParseError(f"template: {name}:{p.stream.latest.line}: max expression depth exceeded") from None
    return p.trees, p.identifiers
