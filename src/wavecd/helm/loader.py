"""Loading a chart from a directory or a .tgz, as Helm's `pkg/chart/loader` does.

Directories are walked in lexical order with the root `.helmignore` (plus `templates/.?*`) applied to the
whole tree, symlinks followed, BOMs stripped. Files are then classified (Chart.yaml, values.yaml, templates/,
charts/ → subcharts, the rest → `.Files`), Chart.yaml validated, and subcharts loaded recursively.
Archives skip `.helmignore` (it was applied when packaging). Helm's error texts are kept.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
from typing import BinaryIO

from wavecd.core.chartarchive import MAX_DECOMPRESSED_FILE_SIZE as MAX_FILE_SIZE
from wavecd.core.chartarchive import ChartBudget
from wavecd.helm.chart import Chart, ChartFile, Metadata
from wavecd.helm.helmignore import HelmIgnoreError, IgnoreRules
from wavecd.helm.helmlog import HelmLog
from wavecd.helm.metadata import MetadataError, decode_metadata

BOM = b"\xef\xbb\xbf"
_ALIAS_FORMAT = re.compile(r"^[a-zA-Z0-9_-]+$")


class LoadError(Exception):
    """A chart Helm refuses to load; `str()` is Helm's message (without `Error: `)."""


def load_chart(path: str, *, helm_major: int = 4, warnings: list[str] | None = None) -> Chart:
    """Load a chart directory or archive; raise LoadError with Helm's text. Helm's info lines go to
    `warnings`."""
    log = warnings if warnings is not None else []
    if not os.path.exists(path):
        raise LoadError(f'path "{path}" not found')
    if os.path.isdir(path):
        if helm_major >= 4:
            _detect_v4(path)
        return load_files(read_dir(path, helm_major=helm_major, warnings=log), helm_major=helm_major, warnings=log)
    return load_archive_file(path, helm_major=helm_major, warnings=log)


def _detect_v4(path: str) -> None:
    """Helm 4 reads Chart.yaml's apiVersion first to pick a loader; its own errors come from that step."""
    from wavecd.helm.values_io import ValuesError, read_yaml_document

    name = os.path.join(os.path.abspath(path), "Chart.yaml")
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise LoadError(f"unable to detect chart at {name}: open {name}: {reason}") from None
    try:
        doc = read_yaml_document(data.removeprefix(BOM))
    except ValuesError as exc:
        raise LoadError(f"cannot load Chart.yaml: {exc}") from None
    if doc is not None and not isinstance(doc, dict):
        kind = {list: "array", str: "string", bool: "bool"}.get(type(doc), "number")
        raise LoadError(
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{kind} into Go value of type loader.chartBase"
        )
    api = (doc or {}).get("apiVersion", "")
    if api == "v3":  # helm 4 knows chart v3 but refuses to load it
        raise LoadError("invalid chart apiVersion")
    if api not in ("v1", "v2", "", None):
        raise LoadError("unsupported chart version")


def read_dir(path: str, *, helm_major: int = 4, warnings: list[str] | None = None) -> list[ChartFile]:
    """The files of a chart directory, ignore rules applied, in Helm's walk order."""
    top = os.path.abspath(path)
    rules_text = ""
    ignore_file = os.path.join(top, ".helmignore")
    if os.path.exists(ignore_file):
        with open(ignore_file, encoding="utf-8", errors="surrogateescape") as fh:
            rules_text = fh.read()
    try:
        rules = IgnoreRules.parse_shared(rules_text)
    except HelmIgnoreError as exc:
        raise LoadError(str(exc)) from None
    files: list[ChartFile] = []
    _walk(top, "", rules, files, helm_major, warnings if warnings is not None else [])
    return files


def _walk(
    directory: str, rel: str, rules: IgnoreRules, out: list[ChartFile], helm_major: int, warnings: list[str]
) -> None:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        raise LoadError(f"open {directory}: {exc.strerror.lower() if exc.strerror else exc}") from None
    for entry in entries:
        full = entry.path
        n = rel + entry.name
        if entry.is_symlink():
            _note_symlink(full, helm_major, warnings)
        if entry.is_dir():
            if not rules.ignored(n, True):
                _walk(full, n + "/", rules, out, helm_major, warnings)
            continue
        if rules.ignored(n, False):
            continue
        if not entry.is_file():
            raise LoadError(f"cannot load irregular file {full} as it has file mode type bits set")
        if entry.stat().st_size > MAX_FILE_SIZE:
            raise LoadError(f'chart file "{entry.name}" is larger than the maximum file size {MAX_FILE_SIZE}')
        with open(full, "rb") as fh:
            data = fh.read()
        out.append(ChartFile(n, data.removeprefix(BOM)))


def _note_symlink(full: str, helm_major: int, warnings: list[str]) -> None:
    resolved = os.path.realpath(full)
    if not os.path.exists(resolved):
        raise LoadError(f"error evaluating symlink {full}: lstat {resolved}: no such file or directory")
    v3 = f"found symbolic link in path: {full} resolves to {resolved}. Contents of linked file included and used"
    HelmLog(helm_major, warnings).info(
        ("walk.go:75", v3),
        "found symbolic link in path. Contents of linked file included and used",
        path=full,
        resolved=resolved,
    )


def load_archive_file(path: str, *, helm_major: int = 4, warnings: list[str] | None = None) -> Chart:
    """loader.LoadFile: the archive is streamed from the file, never read whole. Helm 4 reports any
    failure of its archive reader (a path check, a size limit, a broken stream) only as "unable to load
    chart archive" (pkg/chart/loader/load.go); Helm 3 prints the reader's own error."""
    with open(path, "rb") as fh:
        head = fh.read(512)
        if not head.startswith(b"\x1f\x8b\x08"):
            if path.endswith((".yml", ".yaml")):
                raise LoadError(f"file '{path}' seems to be a YAML file, but expected a gzipped archive")
            raise LoadError(f"file '{path}' does not appear to be a gzipped archive; got '{_content_type(head)}'")
        fh.seek(0)
        budget = ChartBudget()
        try:
            files = read_archive(fh, helm_major=helm_major, budget=budget)
        except _GzipHeader:
            raise LoadError(
                f"file '{path}' does not appear to be a valid chart file (details: gzip: invalid header)"
            ) from None
        except LoadError:
            if helm_major >= 4:
                raise LoadError("unable to load chart archive") from None
            raise
    return load_files(files, helm_major=helm_major, warnings=warnings, budget=budget)


_BINARY = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])


def _content_type(raw: bytes) -> str:
    """http.DetectContentType of the 512-byte buffer Helm reads (zero-padded, so short files look binary);
    only the plain-text/binary distinction is reproduced."""
    head = raw[:512].ljust(512, b"\0")
    if any(b in _BINARY for b in head):
        return "application/octet-stream"
    return "text/plain; charset=utf-8"


class _GzipHeader(LoadError):
    """gzip.ErrHeader, which Helm's LoadFile words with the file's name."""


def read_archive(stream: BinaryIO, *, helm_major: int = 4, budget: ChartBudget | None = None) -> list[ChartFile]:
    """archive.LoadArchiveFiles (Helm 4.1 pkg/chart/loader/archive/archive.go, Helm 3.17.3+
    pkg/chart/loader/archive.go): strip the top directory, refuse unsafe paths, strip BOMs, and stop at
    Helm's size limits before holding more (wavecd.core.chartarchive streams the archive).

    A symlink or hardlink entry is a file with no content, as Go's tar reader gives it to Helm: the link is
    never followed. Helm 3.17.2 (the `--helm-compat v3` reference) had no size limits; the limits and texts
    of its 3.17.3 fix apply (its chart text says "maximum file size" where Helm 4 says "maximum size").
    `budget` is the chart size budget shared by every archive of one chart load (see ChartBudget)."""
    from wavecd.core.chartarchive import GzipHeaderError, TarStreamError, read_chart_archive

    files: list[ChartFile] = []
    try:
        for entry in read_chart_archive(stream, budget):
            member = entry.info
            if entry.is_dir or entry.is_global_header:
                continue
            delimiter = "\\" if "\\" in member.name else "/"
            parts = member.name.split(delimiter)
            n = "/".join(parts[1:])
            if n.startswith("/"):
                raise LoadError("chart illegally contains absolute paths")
            n = posixpath.normpath(n) if n else "."
            if n == ".":
                raise LoadError(f'chart illegally contains content outside the base directory: "{member.name}"')
            if n.startswith(".."):
                raise LoadError("chart illegally references parent directory")
            if re.match(r"^[a-zA-Z]:/", n):
                raise LoadError("chart contains illegally named files")
            if parts[0] == "Chart.yaml":
                raise LoadError("chart yaml not in base directory")
            files.append(ChartFile(n, entry.read().removeprefix(BOM)))
    except GzipHeaderError:
        raise _GzipHeader("gzip: invalid header") from None
    except TarStreamError as exc:
        raise LoadError(exc.worded(helm_major)) from None
    if not files:
        raise LoadError("no files in chart archive")
    return files


def load_files(
    files: list[ChartFile],
    *,
    helm_major: int = 4,
    warnings: list[str] | None = None,
    budget: ChartBudget | None = None,
) -> Chart:
    """loader.LoadFiles: classify, decode Chart.yaml/values.yaml, validate, load subcharts. Subchart
    archives are read within `budget`, shared down the whole load, so sibling archives cannot each inflate
    to the chart limit and together exhaust memory; its end is Helm's chart-size error."""
    budget = budget or ChartBudget()
    log = warnings if warnings is not None else []
    from wavecd.helm.values_io import ValuesError, read_values, read_yaml_document

    metadata: Metadata | None = None
    for f in files:
        if f.name == "Chart.yaml":
            metadata = metadata or Metadata()
            try:
                decode_metadata(
                    read_yaml_document(f.data),
                    metadata,
                    root_type="v2.Metadata" if helm_major >= 4 else "chart.Metadata",
                )
            except (MetadataError, ValuesError) as exc:
                raise LoadError(f"cannot load Chart.yaml: {_decode_text(exc)}") from None
            if not metadata.api_version:
                metadata.api_version = "v1"
    chart = Chart(metadata=metadata or Metadata())
    subcharts: dict[str, list[ChartFile]] = {}
    for f in files:
        name = f.name
        if name == "Chart.yaml":
            continue
        if name in ("Chart.lock", "requirements.lock"):
            chart.lock = f.data
            if name == "requirements.lock":
                if metadata is None:
                    metadata = chart.metadata = Metadata()
                if metadata.api_version != "v1":
                    HelmLog(helm_major, log).printf(
                        "load.go:138",
                        "Warning: Dependency locking is handled in "
                        'Chart.lock since apiVersion "v2". We recommend migrating to '
                        "Chart.lock.",
                    )
                if metadata.api_version == "v1":
                    chart.files.append(f)
        elif name == "values.yaml":
            try:
                chart.values = read_values(f.data, helm_major=helm_major, shared=True)
            except ValuesError as exc:
                raise LoadError(f"cannot load values.yaml: {exc}") from None
        elif name == "values.schema.json":
            chart.schema = f.data
        elif name == "requirements.yaml":
            if metadata is None:
                metadata = chart.metadata = Metadata()
            if metadata.api_version != "v1":
                HelmLog(helm_major, log).printf(
                    "load.go:120",
                    "Warning: Dependencies are handled in Chart.yaml since "
                    'apiVersion "v2". We recommend migrating dependencies to Chart.yaml.',
                )
            try:
                decode_metadata(read_yaml_document(f.data), metadata)
            except (MetadataError, ValuesError) as exc:
                raise LoadError(f"cannot load requirements.yaml: {_decode_text(exc)}") from None
            if metadata.api_version == "v1":
                chart.files.append(f)
        elif name.startswith("templates/"):
            chart.templates.append(f)
        elif name.startswith("charts/"):
            if posixpath.splitext(name)[1] == ".prov":
                chart.files.append(f)
                continue
            rest = name[len("charts/") :]
            cname = rest.split("/", 1)[0]
            subcharts.setdefault(cname, []).append(ChartFile(rest, f.data))
        else:
            chart.files.append(f)
    if metadata is None:
        raise LoadError("Chart.yaml file is missing")
    validate_metadata(metadata, lib="3.4.0" if helm_major >= 4 else "3.3.0")
    for cname, sub_files in subcharts.items():
        if cname[:1] in ("_", "."):
            continue
        try:
            if posixpath.splitext(cname)[1] == ".tgz":
                first = sub_files[0]
                if first.name != cname:
                    raise LoadError(f"error unpacking subchart tar in {chart.name}: expected {cname}, got {first.name}")
                sub = load_files(
                    read_archive(io.BytesIO(first.data), helm_major=helm_major, budget=budget),
                    helm_major=helm_major,
                    warnings=log,
                    budget=budget,
                )
            else:
                inner = [ChartFile(f.name.split("/", 1)[1], f.data) for f in sub_files if "/" in f.name]
                sub = load_files(inner, helm_major=helm_major, warnings=log, budget=budget)
        except LoadError as exc:
            if str(exc).startswith("error unpacking subchart tar in"):
                raise
            raise LoadError(f"error unpacking subchart {cname} in {chart.name}: {exc}") from None
        chart.add_dependency(sub)
    return chart


def _decode_text(exc: Exception) -> str:
    if isinstance(exc, MetadataError):
        return f"error unmarshaling JSON: while decoding JSON: {exc}"
    return str(exc)


def _sanitize(text: str) -> str:
    """sanitizeString: whitespace → space, non-printable runes dropped."""
    if text.isprintable():
        return text
    return "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or ch.isprintable())


def validate_metadata(md: Metadata, *, lib: str) -> None:
    """Metadata.Validate with Helm's `validation: …` texts."""
    from wavecd.semver import SemverError, parse_version

    for attr in ("name", "description", "home", "icon", "condition", "tags", "app_version", "kube_version"):
        setattr(md, attr, _sanitize(getattr(md, attr)))
    md.sources = [_sanitize(s) for s in md.sources]
    md.keywords = [_sanitize(s) for s in md.keywords]
    if not md.api_version:
        raise LoadError("validation: chart.metadata.apiVersion is required")
    if not md.name:
        raise LoadError("validation: chart.metadata.name is required")
    if md.name in (".", ".."):
        raise LoadError(f'validation: chart.metadata.name "{md.name}" is not allowed')
    if md.name != posixpath.basename(md.name.rstrip("/")) or md.name.endswith("/"):
        raise LoadError(f'validation: chart.metadata.name "{md.name}" is invalid')
    if not md.version:
        raise LoadError("validation: chart.metadata.version is required")
    try:
        parse_version(md.version, lib=lib)
    except SemverError:
        raise LoadError(f'validation: chart.metadata.version "{md.version}" is invalid') from None
    if md.type not in ("", "application", "library"):
        raise LoadError("validation: chart.metadata.type must be application or library")
    for m in md.maintainers:
        if m is None:
            raise LoadError("validation: maintainers must not contain empty or null nodes")
        m.name, m.email, m.url = _sanitize(m.name), _sanitize(m.email), _sanitize(m.url)
    seen: set[str] = set()
    for dep in md.dependencies or ():
        if dep is None:
            raise LoadError("validation: dependencies must not contain empty or null nodes")
        dep.name, dep.version = _sanitize(dep.name), _sanitize(dep.version)
        dep.repository, dep.condition = _sanitize(dep.repository), _sanitize(dep.condition)
        dep.tags = [_sanitize(t) for t in dep.tags]
        if dep.alias and not _ALIAS_FORMAT.match(dep.alias):
            raise LoadError(f'validation: dependency "{dep.name}" has disallowed characters in the alias')
        key = dep.alias or dep.name
        if key in seen:
            raise LoadError(f'validation: more than one dependency with name or alias "{key}"')
        seen.add(key)
