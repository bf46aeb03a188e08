"""One YAML text decoded as go-yaml v2 decodes it and sigs.k8s.io/yaml turns it into JSON values.

libyaml (PyYAML's C parser) produces the events; go-yaml v2 is a port of the same C code, so syntax errors
carry the same problem texts. Everything after the events is go-yaml's and sigs.k8s.io/yaml's: scalar
typing (resolve.py), merge keys and aliases as go-yaml decodes them, keys turned into strings, numbers
as the JSON round trip leaves them (float64s for Helm, int64s where they are whole for Kubernetes
objects), and the errors in the order Go reports them (syntax, decoding, key conversion, JSON).
Where libyaml 0.2 and go-yaml's older port disagree (a BOM inside the text, '?' inside flow scalars,
bytes that are not UTF-8) the difference is made up here.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal
from typing import Any

import yaml
from yaml import _yaml  # type: ignore[attr-defined]

from wavecd.goyaml.errors import GoYamlError
from wavecd.goyaml.gonum import INT64_MAX, INT64_MIN, format_g32
from wavecd.goyaml.gosyntax import go_sharp_v
from wavecd.goyaml.jsonvalue import go_string
from wavecd.goyaml.resolve import BINARY_TAG, MERGE_TAG, resolve_plain, resolve_tagged

_ScalarEvent = yaml.ScalarEvent
_MappingStartEvent = yaml.MappingStartEvent
_MappingEndEvent = yaml.MappingEndEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_SequenceEndEvent = yaml.SequenceEndEvent
_AliasEvent = yaml.AliasEvent
_DocumentStartEvent = yaml.DocumentStartEvent
_DocumentEndEvent = yaml.DocumentEndEvent
_StreamEndEvent = yaml.StreamEndEvent

_IN_PROGRESS = object()
_INF = float("inf")
_EXACT = float(2**53)

CONVERT_PREFIX = "error converting YAML to JSON: "
JSON_PREFIX = "error unmarshaling JSON: while decoding JSON: "


class _DecodeFail(Exception):
    """go-yaml's failf during decoding: reported unless a syntax error comes later in the document."""


class _FlowSyntaxError(Exception):
    """A syntax error go-yaml's scanner finds where libyaml 0.2 does not ('?' inside a flow plain scalar)."""

    def __init__(self, closer: str, line: int, context_line: int):
        super().__init__(closer)
        self.line = line or context_line
        where = f"line {self.line}: " if self.line else ""
        self.message = f"yaml: {where}did not find expected ',' or '{closer}'"


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _line_of(text: str, pos: int) -> int:
    """libyaml's 0-based line of a character position."""
    return len(_LINE_BREAK.findall(text, 0, pos))


class _UnknownAnchor(_DecodeFail):
    """go-yaml resolves aliases while parsing: this error is reported where it occurs, before decoding."""


def _syntax_message(e: Exception) -> tuple[str, int | None]:
    """go-yaml's `parser.fail()` text for a libyaml error, with its odd line numbering."""
    if isinstance(e, yaml.MarkedYAMLError):
        problem = e.problem or "unknown problem parsing YAML content"
        line = 0
        if e.problem_mark is not None and e.problem_mark.line != 0:
            line = e.problem_mark.line
            if isinstance(e, yaml.scanner.ScannerError):
                line += 1
        elif e.context_mark is not None and e.context_mark.line != 0:
            line = e.context_mark.line
        if line:
            return f"yaml: line {line}: {problem}", line
        return f"yaml: {problem}", None
    reason = getattr(e, "reason", None) or str(e)
    return f"yaml: {reason}", None


def _to_json_value(v: Any, doc: _Document) -> Any:
    """A scalar as it comes back from the JSON round trip: numbers as float64; NaN/Inf are refused."""
    t = type(v)
    if t is int:
        return float(v)
    if t is float:
        if v != v or v == _INF or v == -_INF:
            doc.json_error(v)
        return v
    if t is bytes:
        return go_string(v)
    return str(v) if isinstance(v, str) and t is not str else v


def _to_unstructured_value(v: Any, doc: _Document) -> Any:
    """A scalar as Kubernetes' unstructured decoding holds it after the JSON round trip.

    Go writes a float64 that is a whole number below 1e21 as its shortest digits padded with zeros, without
    a point, and apimachinery's JSON reader keeps a number whose text is an integer as int64 when it fits:
    so `1.0` and `1e3` are ints, a uint64 or an int beyond int64 a float64. NaN and infinities are refused,
    as in the JSON round trip.
    """
    t = type(v)
    if t is int:
        return v if v <= INT64_MAX else float(v)
    if t is float:
        if v != v or v == _INF or v == -_INF:
            doc.json_error(v)
        elif v.is_integer():
            # below 2**53 a whole float64 is its own shortest text; above, the text is repr's digits
            whole = int(v) if -_EXACT < v < _EXACT else int(Decimal(repr(v)))
            if INT64_MIN <= whole <= INT64_MAX:
                return whole
        return v
    if t is bytes:
        return go_string(v)
    return str(v) if isinstance(v, str) and t is not str else v


_MISS = object()


def _cached_plain(convert: Any) -> Any:
    """An untagged plain scalar's converted value, cached (NaN and infinities never are: they fail)."""
    cache: dict[str, Any] = {}

    def plain(s: str, doc: _Document) -> Any:
        v = cache.get(s, _MISS)
        if v is _MISS:
            v = convert(resolve_plain(s), doc)
            if v == v and v not in (_INF, -_INF) and len(s) < 64:
                if len(cache) > 50000:
                    cache.clear()
                cache[s] = v
        return v

    return plain


def _plain_typed(s: str, doc: _Document) -> Any:
    return _typed_value(resolve_plain(s), doc)


def _typed_value(v: Any, doc: _Document) -> Any:
    """A scalar kept in go-yaml's types (ints stay ints) for callers that convert it themselves."""
    if type(v) is bytes:
        return go_string(v)
    return str(v) if isinstance(v, str) and type(v) is not str else v


# how numbers come out: "json" as json.Unmarshal into interface{} (Helm's values: every number a float64),
# "go" in go-yaml's own types (for callers that convert them themselves), "unstructured" as Kubernetes
# objects hold them (kubectl, Argo CD)
_NUMBERS: dict[str, tuple[Any, Any]] = {
    "json": (_to_json_value, _cached_plain(_to_json_value)),
    "go": (_typed_value, _plain_typed),
    "unstructured": (_to_unstructured_value, _cached_plain(_to_unstructured_value)),
}


def _key_string(k: Any, value: Any, doc: _Document) -> str | None:
    """convertToJSONableObject's key rule; unsupported keys are recorded and give None."""
    t = type(k)
    if t is str:
        return k
    if t is bool:
        return "true" if k else "false"
    if t is int:
        if k > INT64_MAX:
            doc.convert_error(f"unsupported map key of type: uint64, key: 0x{k:x}, value: {go_sharp_v(value)}")
            return None
        return str(k)
    if t is float:
        return format_g32(k)
    if k is None:
        doc.convert_error(f"unsupported map key of type: %!s(<nil>), key: <nil>, value: {go_sharp_v(value)}")
        return None
    if t is bytes:
        return k.decode("utf-8", "replace")
    return str(k)


def copy_value(v: Any) -> Any:
    """A fresh copy of a decoded value (go-yaml decodes an alias's node again for each use)."""
    t = type(v)
    if t is dict:
        return {k: copy_value(x) for k, x in v.items()}
    if t is list:
        return [copy_value(x) for x in v]
    return v


def _size(v: Any) -> int:
    t = type(v)
    if t is dict:
        return 1 + sum(1 + _size(x) for x in v.values())
    if t is list:
        return 1 + sum(_size(x) for x in v)
    return 1


def _allowed_alias_ratio(decode_count: int) -> float:
    if decode_count <= 400_000:
        return 0.99
    if decode_count >= 4_000_000:
        return 0.10
    return 0.99 - 0.89 * ((decode_count - 400_000) / 3_600_000)


class _Document:
    """Decodes one document's events into JSON-typed values."""

    __slots__ = (
        "_convert_error",
        "_json_error",
        "alias_count",
        "anchors",
        "conv",
        "decode_count",
        "flow",
        "get",
        "plain",
        "text",
    )

    def __init__(self, parser: Any, text: str, numbers: str = "json"):
        self.get = parser.get_event
        self.text = text
        self.flow: list[tuple[str, int]] = []
        self.conv, self.plain = _NUMBERS[numbers]
        self.anchors: dict[str, Any] = {}
        self.decode_count = 0
        self.alias_count = 0
        self._convert_error: str | None = None
        self._json_error: str | None = None

    def convert_error(self, msg: str) -> None:
        if self._convert_error is None:
            self._convert_error = msg

    def json_error(self, f: float) -> None:
        if self._json_error is None:
            text = "NaN" if f != f else ("+Inf" if f > 0 else "-Inf")
            self._json_error = f"json: unsupported value: {text}"

    def deferred_error(self, value: Any) -> str | None:
        if self._convert_error is not None:
            return self._convert_error
        if self._json_error is not None:  # json.Marshal meets map keys sorted, not in document order
            first = _first_non_finite(value)
            if first is not None:
                self._json_error = None
                self.json_error(first)
        return self._json_error

    def enter(self, ev: Any, sequence: bool) -> bool:
        """Note a flow collection being entered (go-yaml's plain scalars stop at '?' inside one)."""
        if not ev.flow_style:
            return False
        index = ev.start_mark.index
        opener = self.text[index : index + 1]
        if sequence or opener == "{":
            self.flow.append(("]" if sequence else "}", ev.start_mark.line))
        else:
            # a single-pair mapping inside a flow sequence: errors name the sequence
            self.flow.append(self.flow[-1] if self.flow else ("]", ev.start_mark.line))
        return True

    def check_flow_plain(self, ev: Any) -> None:
        """go-yaml ends a plain scalar at '?' in flow context; the '?' then starts a key and fails."""
        raw = self.text[ev.start_mark.index : ev.end_mark.index]
        pos = ev.start_mark.index + raw.find("?")
        closer, context_line = self.flow[-1]
        raise _FlowSyntaxError(closer, _line_of(self.text, pos), context_line)

    # --- nodes -------------------------------------------------------------------------------------

    def scalar(self, ev: Any) -> Any:
        """The go-yaml-typed value of a scalar event (ints stay ints: keys need them)."""
        tag = ev.tag
        if tag is None:
            return resolve_plain(ev.value) if ev.implicit[0] else ev.value
        try:
            rtag, v = resolve_tagged(tag, ev.value)
        except ValueError as e:
            raise _DecodeFail(f"yaml: {e}") from None
        if rtag == BINARY_TAG:
            try:
                return base64.b64decode(v.replace("\n", "").replace("\r", ""), validate=True)
            except (binascii.Error, ValueError):
                raise _DecodeFail("yaml: !!binary value contains invalid base64 data") from None
        return v

    def node(self, ev: Any) -> Any:
        """The JSON-typed value of the node starting with `ev`."""
        self.decode_count += 1
        cls = type(ev)
        if cls is _ScalarEvent:
            if self.flow and not ev.style and "?" in ev.value:
                self.check_flow_plain(ev)
            v = self.scalar(ev)
            if ev.anchor is not None:
                self.anchors[ev.anchor] = v
            return self.conv(v, self)
        if cls is _MappingStartEvent:
            return self.mapping(ev)
        if cls is _SequenceStartEvent:
            anchor = ev.anchor
            if anchor is not None:
                self.anchors[anchor] = _IN_PROGRESS
            out = []
            get = self.get
            node = self.node
            plain = self.plain
            flow = self.enter(ev, True)
            while True:
                e = get()
                cls = type(e)
                if cls is _ScalarEvent and e.tag is None and e.anchor is None:
                    self.decode_count += 1
                    if flow and not e.style and "?" in e.value:
                        self.check_flow_plain(e)
                    out.append(plain(e.value, self) if e.implicit[0] else e.value)
                elif cls is _SequenceEndEvent:
                    break
                else:
                    out.append(node(e))
            if flow:
                self.flow.pop()
            if anchor is not None:
                self.anchors[anchor] = out
            return out
        if cls is _AliasEvent:
            return self.conv(self.alias(ev), self)
        raise _DecodeFail(f"yaml: unexpected event {cls.__name__}")

    def alias(self, ev: Any) -> Any:
        name = ev.anchor
        try:
            target = self.anchors[name]
        except KeyError:
            raise _UnknownAnchor(f"yaml: unknown anchor '{name}' referenced") from None
        if target is _IN_PROGRESS:
            raise _DecodeFail(f"yaml: anchor '{name}' value contains itself")
        t = type(target)
        if t is dict or t is list:
            size = _size(target)
            self.decode_count += size
            self.alias_count += size
            if (
                self.alias_count > 100
                and self.decode_count > 1000
                and self.alias_count / self.decode_count > _allowed_alias_ratio(self.decode_count)
            ):
                raise _DecodeFail("yaml: document contains excessive aliasing")
            return copy_value(target)
        return target

    def mapping(self, ev: Any) -> dict:
        anchor = ev.anchor
        if anchor is not None:
            self.anchors[anchor] = _IN_PROGRESS
        out: dict[str, Any] = {}
        get = self.get
        node = self.node
        plain = self.plain
        count = 0
        flow = self.enter(ev, False)
        while True:
            e = get()
            cls = type(e)
            if cls is _MappingEndEvent:
                break
            count += 2
            if cls is _ScalarEvent:
                s = e.value
                if flow and not e.style and "?" in s:
                    self.check_flow_plain(e)
                if e.tag is None and e.anchor is None:
                    if e.implicit[0]:
                        if s == "<<":
                            self.merge(out, self.merge_value(get()))
                            continue
                        k = resolve_plain(s)
                    else:
                        k = s
                elif s == "<<" and (e.implicit[0] or e.tag == MERGE_TAG):
                    self.merge(out, self.merge_value(get()))
                    continue
                else:
                    k = self.scalar(e)
                    if e.anchor is not None:
                        self.anchors[e.anchor] = k
            elif cls is _AliasEvent:
                k = self.alias(e)
                if type(k) is dict or type(k) is list:
                    raise _DecodeFail(f"yaml: invalid map key: {go_sharp_v(k)}")
            else:
                k = node(e)
                raise _DecodeFail(f"yaml: invalid map key: {go_sharp_v(k)}")
            e = get()
            if type(e) is _ScalarEvent and e.tag is None and e.anchor is None:
                if flow and not e.style and "?" in e.value:
                    self.check_flow_plain(e)
                v = plain(e.value, self) if e.implicit[0] else e.value
            elif type(e) is _MappingStartEvent:
                # node()'s work without its frame: mappings of mappings then nest about 990 levels deep
                # before Python's recursion limit, near libyaml's own 1000, instead of half that
                self.decode_count += 1
                v = self.mapping(e)
            else:
                v = node(e)
            if type(k) is str:
                out[k] = v
            else:
                ks = _key_string(k, v, self)
                if ks is not None:
                    out[ks] = v
        self.decode_count += count
        if flow:
            self.flow.pop()
        if anchor is not None:
            self.anchors[anchor] = out
        return out

    def merge_value(self, ev: Any) -> Any:
        """The value of a `<<` key; go-yaml refuses a scalar before decoding it."""
        if type(ev) is _ScalarEvent:
            raise _DecodeFail(_WANT_MAP)
        return self.node(ev)

    @staticmethod
    def merge(out: dict, value: Any) -> None:
        """go-yaml's merge: the merged maps' keys are set in place, so later explicit keys override them."""
        if type(value) is dict:
            out.update(value)
            return
        if type(value) is list and all(type(x) is dict for x in value):
            for m in reversed(value):
                out.update(m)
            return
        raise _DecodeFail(_WANT_MAP)


def decode_documents(text: str, limit: int | None, numbers: str = "json") -> list[Any]:
    """Decode up to `limit` documents (None: all), raising GoYamlError with sigs.k8s.io/yaml's texts.

    `numbers` names how numbers come out: "json", "go" or "unstructured" (see `_NUMBERS`).
    """
    try:
        return _decode_documents(text, limit, numbers)
    except GoYamlError as e:
        if _BOM_STAND_IN in e.message and _BOM_STAND_IN not in text:
            e.message = e.message.replace(_BOM_STAND_IN, "\ufeff")
            e.args = (e.message,)
        raise


def _decode_documents(text: str, limit: int | None, numbers: str) -> list[Any]:
    if not text:
        text = "\n"
    if not text.isascii():
        _check_utf8(text)
    bom = "\ufeff" in text[1:] and _BOM_STAND_IN not in text
    if bom:
        # libyaml 0.2 skips a BOM at the start of any line, go-yaml only at the start of the stream
        text = text[0] + text[1:].replace("\ufeff", _BOM_STAND_IN)
    parser = _yaml.CParser(text)
    docs: list[Any] = []
    try:
        parser.get_event()  # stream start
        while limit is None or len(docs) < limit:
            ev = parser.get_event()
            if type(ev) is _StreamEndEvent:
                break
            doc = _Document(parser, text, numbers)
            try:
                value = doc.node(parser.get_event())
                parser.get_event()  # document end
            except _DecodeFail as fail:
                if not isinstance(fail, _UnknownAnchor):
                    fail = _drain_document(parser, set(doc.anchors)) or fail
                raise GoYamlError(CONVERT_PREFIX + str(fail)) from None
            except _FlowSyntaxError as e:
                raise GoYamlError(CONVERT_PREFIX + e.message, line=e.line or None) from None
            except RecursionError:
                raise GoYamlError(CONVERT_PREFIX + "yaml: exceeded max depth") from None
            deferred = doc.deferred_error(value)
            if deferred is not None:
                raise GoYamlError(CONVERT_PREFIX + deferred)
            docs.append(_restore_bom(value) if bom else value)
    except yaml.YAMLError as e:
        msg, line = _syntax_message(e)
        raise GoYamlError(CONVERT_PREFIX + msg, line=line) from None
    finally:
        parser.dispose()
    return docs


def _check_utf8(text: str) -> None:
    """Lone surrogates stand for bytes that are not UTF-8 (surrogateescape): go-yaml's reader refuses them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape" if _escaped_only(text) else "surrogatepass")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as e:
            lead = raw[e.start]
            if lead < 0xC2 or lead > 0xF4:
                problem = "invalid leading UTF-8 octet"
            elif e.reason == "unexpected end of data":
                problem = "incomplete UTF-8 octet sequence"
            else:
                problem = "invalid trailing UTF-8 octet"
            raise GoYamlError(CONVERT_PREFIX + "yaml: " + problem) from None


def _escaped_only(text: str) -> bool:
    return all(not ("\ud800" <= c <= "\udfff") or "\udc80" <= c <= "\udcff" for c in text)


_BOM_STAND_IN = "\ufdd0"
_WANT_MAP = "yaml: map merge requires map or sequence of maps as the value"


def _restore_bom(v: Any) -> Any:
    t = type(v)
    if t is str:
        return v.replace(_BOM_STAND_IN, "\ufeff")
    if t is dict:
        return {_restore_bom(k): _restore_bom(x) for k, x in v.items()}
    if t is list:
        return [_restore_bom(x) for x in v]
    return v


def _drain_document(parser: Any, anchors: set[str]) -> _UnknownAnchor | None:
    """Parse the rest of the document after a decoding error, as go-yaml parses it all before decoding.

    A syntax error raised here wins; so does an alias to an unknown anchor, which go-yaml's parser reports.
    """
    while True:
        ev = parser.get_event()
        cls = type(ev)
        if cls is _DocumentEndEvent:
            return None
        if cls is _AliasEvent:
            if ev.anchor not in anchors:
                return _UnknownAnchor(f"yaml: unknown anchor '{ev.anchor}' referenced")
        else:
            anchor = getattr(ev, "anchor", None)
            if anchor is not None:
                anchors.add(anchor)


def _first_non_finite(value: Any) -> float | None:
    """The NaN or infinity encoding/json reaches first in a decoded document."""
    if isinstance(value, float):
        return value if value != value or value in (_INF, -_INF) else None
    if isinstance(value, dict):
        children: Any = (value[k] for k in sorted(value, key=str))
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = _first_non_finite(child)
        if found is not None:
            return found
    return None
