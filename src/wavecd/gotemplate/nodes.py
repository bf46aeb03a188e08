"""The parse tree of a template, shaped like Go's `text/template/parse` nodes.

Every node keeps its position (a character offset into its source) and a reference to that `Source`, so
an execution error can name the file, line and byte column of the node, and `str(node)` gives the text
Go's `node.String()` prints after `at <…>`.

Every class has a docstring and no generated `__repr__` (a node prints as its template text): `dataclass`
makes the missing ones at import time, and these 20-odd classes are imported by every render, including the
ones that load compiled templates from the cache and parse nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wavecd.core.goquote import quote as go_quote


@dataclass(eq=False, repr=False, slots=True)
class Source:
    """The text one `parse` call read, under its parse name (the file name in Helm)."""

    parse_name: str
    text: str

    def location(self, pos: int) -> tuple[int, int]:
        """1-based line and Go's 0-based *byte* column of a character offset."""
        text = self.text
        line_start = text.rfind("\n", 0, pos) + 1
        line = 1 + text.count("\n", 0, pos)
        segment = text[line_start:pos]
        col = len(segment) if segment.isascii() else len(segment.encode("utf-8", "surrogateescape"))
        return line, col


@dataclass(eq=False, repr=False, slots=True)
class Node:
    """What every node has: where it starts (`pos`) in which text (`src`)."""

    pos: int
    src: Source


@dataclass(eq=False, repr=False, slots=True)
class TextNode(Node):
    """Plain text between actions."""

    text: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False, repr=False, slots=True)
class ListNode(Node):
    """A sequence of nodes: a template's body, or the body of an if, range or with."""

    nodes: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@dataclass(eq=False, repr=False, slots=True)
class IdentifierNode(Node):
    """A function name (`quote`, `include`)."""

    ident: str = ""

    def __str__(self) -> str:
        return self.ident


@dataclass(eq=False, repr=False, slots=True)
class VariableNode(Node):
    """A variable with its field chain (`$x.a.b`)."""

    idents: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return ".".join(self.idents)


@dataclass(eq=False, repr=False, slots=True)
class DotNode(Node):
    """The cursor, `.`."""

    def __str__(self) -> str:
        return "."


@dataclass(eq=False, repr=False, slots=True)
class NilNode(Node):
    """The untyped `nil`."""

    def __str__(self) -> str:
        return "nil"


@dataclass(eq=False, repr=False, slots=True)
class FieldNode(Node):
    """A field chain on the dot (`.Values.image`)."""

    idents: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join("." + i for i in self.idents)


@dataclass(eq=False, repr=False, slots=True)
class ChainNode(Node):
    """A field chain on another term (`(include "x" .).a`)."""

    node: Node | None = None
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return head + "".join("." + f for f in self.fields)


@dataclass(eq=False, repr=False, slots=True)
class BoolNode(Node):
    """A boolean constant."""

    value: bool = False

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(eq=False, repr=False, slots=True)
class NumberNode(Node):
    """A numeric constant, with every Go type it can take."""

    text: str = ""
    is_int: bool = False
    is_uint: bool = False
    is_float: bool = False
    is_complex: bool = False
    int64: int = 0
    uint64: int = 0
    float64: float = 0.0
    complex128: complex = 0j

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False, repr=False, slots=True)
class StringNode(Node):
    """A string constant: as written (`quoted`) and its value (`text`)."""

    quoted: str = ""
    text: str = ""

    def __str__(self) -> str:
        return self.quoted


@dataclass(eq=False, repr=False, slots=True)
class CommandNode(Node):
    """One command of a pipeline: a function, method or field and its arguments."""

    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, PipeNode) else str(a) for a in self.args)


@dataclass(eq=False, repr=False, slots=True)
class PipeNode(Node):
    """A pipeline with its optional variable declarations or assignments."""

    line: int = 0
    is_assign: bool = False
    decl: list[VariableNode] = field(default_factory=list)
    cmds: list[CommandNode] = field(default_factory=list)

    def __str__(self) -> str:
        head = ""
        if self.decl:
            head = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return head + " | ".join(str(c) for c in self.cmds)


@dataclass(eq=False, repr=False, slots=True)
class ActionNode(Node):
    """An action that prints its pipeline's value (`{{ .Values.x }}`)."""

    line: int = 0
    pipe: PipeNode | None = None

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(eq=False, repr=False, slots=True)
class BranchNode(Node):
    """if / range / with: a pipeline, a body and an optional else body."""

    line: int = 0
    pipe: PipeNode | None = None
    list: ListNode | None = None
    else_list: ListNode | None = None
    keyword: str = ""

    def __str__(self) -> str:
        text = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            text += "{{else}}" + str(self.else_list)
        return text + "{{end}}"


class IfNode(BranchNode):
    __slots__ = ()


class RangeNode(BranchNode):
    __slots__ = ()


class WithNode(BranchNode):
    __slots__ = ()


@dataclass(eq=False, repr=False, slots=True)
class TemplateNode(Node):
    """A `{{template "name" pipeline}}` call."""

    line: int = 0
    name: str = ""
    pipe: PipeNode | None = None

    def __str__(self) -> str:
        quoted = go_quote(self.name)
        if self.pipe is None:
            return "{{template " + quoted + "}}"
        return "{{template " + quoted + " " + str(self.pipe) + "}}"


@dataclass(eq=False, repr=False, slots=True)
class BreakNode(Node):
    """`{{break}}` inside a range."""

    line: int = 0

    def __str__(self) -> str:
        return "{{break}}"


@dataclass(eq=False, repr=False, slots=True)
class ContinueNode(Node):
    """`{{continue}}` inside a range."""

    line: int = 0

    def __str__(self) -> str:
        return "{{continue}}"


@dataclass(eq=False, repr=False, slots=True)
class EndNode(Node):
    """`{{end}}`; seen only while parsing."""

    def __str__(self) -> str:
        return "{{end}}"


@dataclass(eq=False, repr=False, slots=True)
class ElseNode(Node):
    """`{{else}}`; seen only while parsing."""

    line: int = 0

    def __str__(self) -> str:
        return "{{else}}"


@dataclass(eq=False, repr=False, slots=True)
class Tree:
    """One named template: its body and where it came from. `assigns_dollar`: a pipeline of the body assigns
    `$` (`{{ $ = … }}`, which Go allows without changing the dot); the parser notes it as it reads the body,
    so the compiler need not walk the tree again to find out."""

    name: str
    source: Source
    root: ListNode
    assigns_dollar: bool = False


def is_empty_tree(node: Node | None) -> bool:
    """Go's IsEmptyTree: only whitespace text (and comments) – such a tree never replaces a defined one."""
    if node is None:
        return True
    if isinstance(node, ListNode):
        return all(is_empty_tree(n) for n in node.nodes)
    if isinstance(node, TextNode):
        return not node.text.strip()
    return False
