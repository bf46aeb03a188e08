"""Generate random templates and record what real helm does with them (not a test).

    .venv/bin/python tests/gotemplate/record_random_cases.py [COUNT] [SEED]

Templates are drawn from a small grammar (text, actions, pipelines, if/with/range/else, variables,
assignments, defines and template calls, break/continue, trim markers, comments) over values and
functions whose Go behaviour both helm lines share. Each case goes through record_helm_cases.record
(helm v3.17.2 and v4.1.4), and the results land in data/helm_random_cases.json, which
test_gotemplate_random_cases.py replays. Expected values come from helm only.
"""

from __future__ import annotations

import json
import random
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from record_helm_cases import record

HERE = Path(__file__).parent
VALUES = "a:\n  x: 1\n  l: [1, two, null]\nb:\n  c: str\nnu: null\nl: [3, 4]\nm: {k: v, j: 2}\ni: 1\ns: text\n"
TAME_ARGS = [".Values.a.x", ".Values.b.c", ".Values.l", ".Values.m", ".Values.s", '"s"', "1", "2.5", "true", "$v"]
WILD_ARGS = [
    ".Values.a",
    ".Values.a.l",
    ".Values.nu",
    ".Values.missing",
    ".",
    "$.Values.a",
    "0",
    '""',
    "false",
    "nil",
    ".Values.i",
    "'x'",
    ".Values.a.missing",
    *TAME_ARGS,
]
TAME_FUNCS = ["print", 'printf "%v"', "len", "not", "eq .Values.s", "html", "js", "urlquery", "println", "upper"]
WILD_FUNCS = [*TAME_FUNCS, "index", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", 'printf "%v-%d"', "trunc 2"]


class Generator:
    def __init__(self, seed: int, tame: bool):
        self.r = random.Random(seed)
        self.args = TAME_ARGS if tame else WILD_ARGS
        self.funcs = TAME_FUNCS if tame else WILD_FUNCS
        self.in_define = False

    def arg(self, depth: int) -> str:
        if depth < 2 and self.r.random() < 0.2:
            return "(" + self.pipe(depth + 1) + ")"
        return self.r.choice(self.args)

    def cmd(self, depth: int) -> str:
        if self.r.random() < 0.45:
            return self.arg(depth)
        return self.r.choice(self.funcs) + " " + " ".join(self.arg(depth) for _ in range(self.r.randint(0, 2)))

    def pipe(self, depth: int) -> str:
        cmds = [self.cmd(depth)]
        while self.r.random() < 0.2:
            cmds.append(self.r.choice(self.funcs))
        return " | ".join(cmds)

    def body(self, depth: int, in_range: bool) -> str:
        out = []
        for _ in range(self.r.randint(1, 4)):
            r = self.r.random()
            if r < 0.25:
                out.append(self.r.choice(["x", " ", "\n", "-", "<no value>", "é"]))
            elif r < 0.55 or depth > 2:
                out.append("{{ " + self.pipe(0) + " }}")
            elif r < 0.6:
                out.append(self.r.choice(["{{- ", "{{ "]) + self.r.choice(["/* c */", self.pipe(0)]) + " -}}")
            elif r < 0.65 and not self.in_define:
                out.append('{{ template "T' + str(self.r.randint(0, 2)) + '" ' + self.pipe(0) + " }}")
            elif r < 0.68 and in_range:
                out.append(self.r.choice(["{{ break }}", "{{ continue }}"]))
            elif r < 0.72:
                out.append("{{ $v = " + self.pipe(0) + " }}{{ $w := $v }}{{ $w }}")
            else:
                kw = self.r.choice(["if", "with", "range", "range $i, $e :=", "range $e :="])
                ranged = in_range or kw.startswith("range")
                other = ""
                if self.r.random() < 0.4:
                    other = "{{ else }}" + self.body(depth + 1, in_range)
                out.append("{{ " + kw + " " + self.pipe(0) + " }}" + self.body(depth + 1, ranged) + other + "{{ end }}")
        return "".join(out)

    def case(self) -> str:
        main = '{{ $v := "init" }}' + self.body(0, False)
        self.in_define = True
        defs = "".join(f'{{{{ define "T{k}" }}}}{{{{ $v := . }}}}{self.body(1, False)}{{{{ end }}}}' for k in range(3))
        self.in_define = False
        return main + defs


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 250
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 2026
    cases = [
        {"name": f"random{i}", "tpl": Generator(seed * 100000 + i, tame=i % 5 < 3).case(), "values": VALUES}
        for i in range(count)
    ]
    with ThreadPoolExecutor(4) as pool:
        for version in ("v3", "v4"):
            binary = f"/opt/realhelm/helm-{version}"
            for case, rec in zip(cases, pool.map(lambda c, b=binary: record(c, b), cases), strict=True):
                case[version] = rec
    (HERE / "data" / "helm_random_cases.json").write_text(json.dumps(cases, indent=0, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
