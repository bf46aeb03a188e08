"""Records what real helm makes of `--set`-style flags (run by hand; needs /opt/realhelm). Not a test.

For every case, runs `helm template x tests/helm/charts/values-probe <flag> <value>` with both binaries and
stores the JSON of `.Values` (or the error text) in tests/helm/data/strvals_cases.json.
"""

import json
import pathlib
import subprocess

HERE = pathlib.Path(__file__).parent
CASES = [
    ("--set", "a=1,b=true,c=1.5,d=0755,e=null,f={x,y}"),
    ("--set", "arr[1]=second"),
    ("--set", "a.b.c=x,a.b.d=y"),
    ("--set", "a\\.b=c"),
    ("--set", "name=a\\,b"),
    ("--set", "x[0].y=1,x[0].z=2"),
    ("--set", "a="),
    ("--set", "a"),
    ("--set", "a,b=1"),
    ("--set", "a[x]=1"),
    ("--set", "list={a,b"),
    ("--set", "a.=1"),
    ("--set", "big=99999999999999999999"),
    ("--set", "neg=-12,plus=+5,zero=0,z2=00,T=TRUE,N=Null"),
    ("--set", "l={},m={a},n={ a , b }"),
    ("--set", "a[0][1]=x"),
    ("--set", "a=x,a.b=y"),
    ("--set", "a.b=y,a=x"),
    ("--set", "a=b=c"),
    ("--set", "a[0]=1,a[2]=3"),
    ("--set", "a[-1]=1"),
    ("--set", "a[70000]=1"),
    ("--set", "a=1,,b=2"),
    ("--set", "k=v\\"),
    ("--set", "emoji=héllo wörld"),
    ("--set", "1=one,true=x"),
    ("--set", "a[1"),
    ("--set", "a[1]"),
    ("--set", "a[1]."),
    ("--set", "a[0]x'y=1"),
    ("--set", "a.b"),
    ("--set-string", "a=1,b=true,c=null,d={1,2}"),
    ("--set-literal", "a.b=x,y={z}\\n"),
    ("--set-literal", "a[1]=v,w"),
    ("--set-json", 'a=[1,2.5,"x"],b={"c":null}'),
    ("--set-json", "a=null"),
    ("--set-json", "a=[1"),
    ("--set-json", '{"a":{"b":2.5}}'),
    ("--set-json", 'x[1]={"y":true}'),
]


def run(binary: str, flag: str, value: str) -> dict:
    proc = subprocess.run(
        [binary, "template", "x", str(HERE / "charts/values-probe"), flag, value],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1]}
    line = proc.stdout.strip().splitlines()[-1]
    return {"json": json.loads(line[len("values: ") :])}


def main() -> None:
    out = []
    for flag, value in CASES:
        out.append(
            {
                "flag": flag,
                "value": value,
                "v3": run("/opt/realhelm/helm-v3", flag, value),
                "v4": run("/opt/realhelm/helm-v4", flag, value),
            }
        )
    (HERE / "data/strvals_cases.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
