"""The child process that evaluates an app's `.jsonnet` files with go-jsonnet (the `gojsonnet` binding).

go-jsonnet cannot be interrupted from Python, and a Jsonnet program can run for ever or fill memory, so
`jsonnet_source` runs this module as a subprocess within a time and output limit. It reads one JSON
request on stdin — files, search path, root, extVars and TLAs — and prints one JSON answer per file:
`{"ok": <the evaluated JSON text>}` or `{"error": <go-jsonnet's message>}`.

Imports resolve as go-jsonnet's `FileImporter` does (the importing file's folder first, then the
search path from last to first), but only to files inside the repository: a read outside it fails.

The binding (gojsonnet 0.21) hands an import callback's failure message to Go without its end, so bytes
that follow it in memory are read too: the message comes back with junk after it, sometimes bytes that
are not UTF-8 (the binding then raises UnicodeDecodeError instead of RuntimeError). The importer keeps the
message it raised, and `_message` puts it back in place of whatever came after it up to go-jsonnet's
stack trace.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

_MAX_IMPORT = 10 * 1024 * 1024
# how go-jsonnet's C binding frames an import callback's failure
_IMPORT_FAILURE = b"RUNTIME ERROR: importer error: "


def _importer(root: str, jpath: list[str], failures: list[str]) -> Any:
    real_root = os.path.realpath(root)

    def inside(path: str) -> bool:
        real = os.path.realpath(path)
        return real == real_root or real.startswith(real_root + "/")

    def fail(rel: str, why: str) -> RuntimeError:
        failures.append(f"couldn't open import {json.dumps(rel)}: {why}")
        return RuntimeError(failures[-1])

    def load(base: str, rel: str) -> tuple[str, bytes]:
        for folder in [base, *reversed(jpath)]:
            candidate = os.path.normpath(os.path.join(folder, rel))
            if not os.path.isfile(candidate):
                continue
            if not inside(candidate):
                raise fail(rel, "it leads outside the repository")
            with open(candidate, "rb") as fh:
                content = fh.read(_MAX_IMPORT + 1)
            if len(content) > _MAX_IMPORT:
                raise fail(rel, f"larger than {_MAX_IMPORT} bytes")
            return candidate, content
        raise fail(rel, "no match locally or in the Jsonnet library paths")

    return load


def _message(err: RuntimeError | UnicodeDecodeError, failures: list[str]) -> str:
    """go-jsonnet's message, with an import failure's text as the importer raised it (module docstring)."""
    raw = err.object if isinstance(err, UnicodeDecodeError) else str(err).encode()
    if failures:
        head = _IMPORT_FAILURE + failures[-1].encode()
        if raw.startswith(head):
            trace = raw.find(b"\n\t", len(head))
            raw = head + (raw[trace:] if trace >= 0 else b"")
    return raw.decode("utf-8", "replace").rstrip()


def _vars(items: list[list[Any]]) -> tuple[dict[str, str], dict[str, str]]:
    plain = {name: value for name, value, code in items if not code}
    code = {name: value for name, value, code in items if code}
    return plain, code


def main() -> None:
    import _gojsonnet

    request = json.load(sys.stdin)
    failures: list[str] = []
    importer = _importer(request["root"], request["jpath"], failures)
    ext_vars, ext_codes = _vars(request["ext_vars"])
    tla_vars, tla_codes = _vars(request["tlas"])
    for path in request["files"]:
        failures.clear()
        try:
            text = _gojsonnet.evaluate_file(
                path,
                jpathdir=request["jpath"],
                ext_vars=ext_vars,
                ext_codes=ext_codes,
                tla_vars=tla_vars,
                tla_codes=tla_codes,
                import_callback=importer,
            )
            answer = {"ok": text}
        except (RuntimeError, UnicodeDecodeError) as err:
            answer = {"error": _message(err, failures)}
        sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
