"""Extract the Go signature of every Sprig function from the Sprig v3.3.0 sources (development tool).

Usage: `python tests/sprig/record_sprig_signatures.py SPRIG_CHECKOUT` with the repository at tag v3.3.0.
It reads `genericMap` in functions.go, resolves each entry to its `func` declaration (or an inline
`func(...)`, or the standard-library function listed below) and writes data/sprig_signatures.json:
parameter types, and the element type of a trailing `...T`. The template engine checks calls against
these, so the test compares them with the GoFunc entries.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# Functions from other packages that genericMap references directly: their parameter lists.
OTHER_PACKAGES = {
    "strings.TrimSpace": "s string",
    "strings.ToUpper": "s string",
    "strings.ToLower": "s string",
    "strings.Title": "s string",
    "util.DeleteWhiteSpace": "str string",
    "util.SwapCase": "str string",
    "xstrings.Shuffle": "str string",
    "xstrings.ToSnakeCase": "str string",
    "xstrings.ToPascalCase": "str string",
    "xstrings.ToKebabCase": "str string",
    "time.Now": "",
    "reflect.DeepEqual": "x, y any",
    "os.Getenv": "key string",
    "os.ExpandEnv": "s string",
    **{f"{pkg}.{fn}": "path string" for pkg in ("path", "filepath") for fn in ("Base", "Dir", "Clean", "Ext", "IsAbs")},
}
_ENTRY = re.compile(r'"(\w+)":\s*')


def _closing_paren(text: str, start: int) -> int:
    depth = 0
    for k in range(start, len(text)):
        if text[k] == "(":
            depth += 1
        elif text[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    raise ValueError("unbalanced parentheses")


def _go_type(t: str) -> str:
    t = t.replace("interface{}", "interface {}")
    t = re.sub(r"\bany\b", "interface {}", t)
    return "sprig.certificate" if t == "certificate" else t


def parse_params(text: str) -> dict[str, object]:
    """A Go parameter list (`a, b string, v ...interface{}`) as types, with grouped names expanded."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    types: list[str | None] = []
    pending = 0
    for part in parts:
        tokens = part.split(maxsplit=1)
        if len(tokens) == 1:
            types.append(None)
            pending += 1
            continue
        types.append(tokens[1])
        for q in range(len(types) - 1 - pending, len(types) - 1):
            types[q] = tokens[1]
        pending = 0
    params = [_go_type(t) for t in types if t is not None]
    variadic = params.pop()[3:] if params and params[-1].startswith("...") else None
    return {"params": params, "variadic": variadic}


def main() -> None:
    root = Path(sys.argv[1])
    source = "\n".join(p.read_text() for p in sorted(root.glob("*.go")) if not p.name.endswith("_test.go"))
    table = source[source.index("var genericMap") :]
    table = table[: table.index("\n}\n")]
    table = "\n".join(line for line in table.splitlines() if not line.strip().startswith("//"))
    result = {}
    pos = 0
    while m := _ENTRY.search(table, pos):
        start = m.end()
        if table.startswith("func(", start):
            end = _closing_paren(table, start + 4)
            params, pos = table[start + 5 : end], end
        else:
            ident = re.match(r"[\w.]+", table[start:]).group(0)
            pos = start + len(ident)
            if ident in OTHER_PACKAGES:
                params = OTHER_PACKAGES[ident]
            else:
                params = re.search(r"\nfunc " + re.escape(ident) + r"\(([^)]*)\)", source).group(1)
        result[m.group(1)] = parse_params(params)
    out = Path(__file__).parent / "data" / "sprig_signatures.json"
    out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(f"{len(result)} signatures -> {out}")


if __name__ == "__main__":
    main()
