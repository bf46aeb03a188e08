"""The child process that evaluates an app's `.jsonnet` files with go-jsonnet (the `gojsonnet` binding).

go-jsonnet cannot be interrupted from Python, and a Jsonnet program can run for ever or fill memory, so
`jsonnet_source` runs this module as a subprocess within a time and output limit. It reads one JSON
request on stdin — files, search path, root, extVars and TLAs — and prints one JSON answer per file:
`{"ok": <the evaluated JSON text>}` or `{"error": <go-jsonnet's message>}`.

Imports resolve as go-jsonnet's `FileImporter` does (the importing file's folder first, then the
search path from last to first), but only to files inside the repository: a read outside it fails.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

_MAX_IMPORT = 10 * 1024 * 1024


def _importer(root: str, jpath: list[str]) -> Any:
    real_root = os.path.realpath(root)

    def inside(path: str) -> bool:
        real = os.path.realpath(path)
        return real == real_root or real.startswith(real_root + "/")

    def load(base: str, rel: str) -> tuple[str, bytes]:
        for folder in [base, *reversed(jpath)]:
            candidate = os.path.normpath(os.path.join(folder, rel))
            if not os.path.isfile(candidate):
                continue
            if not inside(candidate):
                raise RuntimeError(f"couldn't open import {json.dumps(rel)}: it leads outside the repository")
            with open(candidate, "rb") as fh:
                content = fh.read(_MAX_IMPORT + 1)
            if len(content) > _MAX_IMPORT:
                raise RuntimeError(f"couldn't open import {json.dumps(rel)}: larger than {_MAX_IMPORT} bytes")
            return candidate, content
        raise RuntimeError(f"couldn't open import {json.dumps(rel)}: no match locally or in the Jsonnet library paths")

    return load


def _vars(items: list[list[Any]]) -> tuple[dict[str, str], dict[str, str]]:
    plain = {name: value for name, value, code in items if not code}
    code = {name: value for name, value, code in items if code}
    return plain, code


def main() -> None:
    import _gojsonnet

    request = json.load(sys.stdin)
    importer = _importer(request["root"], request["jpath"])
    ext_vars, ext_codes = _vars(request["ext_vars"])
    tla_vars, tla_codes = _vars(request["tlas"])
    for path in request["files"]:
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
        except RuntimeError as err:
            answer = {"error": str(err).rstrip()}
        sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
