"""A Secret's values hidden before a manifest leaves the process, as Argo CD hides them (gitops-engine's
`HideSecretData`), so a diff still shows WHICH keys differ without showing any value.

Each key's distinct values across the desired object, the live one and the live one's
`kubectl.kubernetes.io/last-applied-configuration` are replaced by `++++++++`, `++++++++++++`, … (eight
`+`, then four more for each further distinct value, in that order), so equal values mask equally and
different values differently. `stringData` is first folded into `data` as the API server would store it
(base64), so a desired `stringData` and a live `data` holding the same value compare equal.

Where Argo CD would let a value through, wavecd masks more: a last-applied annotation that is not a JSON
object is replaced by the first mask as a whole (Argo CD leaves it as it is), and a `data` / `stringData`
that is not a mapping is masked as one value under the key `""` (Argo CD fails the request).
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from wavecd.goyaml.gojson import marshal

__all__ = ["LAST_APPLIED", "mask_secret_pair"]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_FIRST_MASK = "++++++++"
_MASK_STEP = "++++"


def mask_secret_pair(
    target: dict[str, Any] | None, live: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The desired and live states of one object, with a core Secret's values masked; copies either way."""
    target = copy.deepcopy(target)
    live = copy.deepcopy(live)
    if not (_is_secret(target) or _is_secret(live)):
        return target, live
    last_applied = _take_last_applied(live)
    masked = [obj for obj in (target, live, last_applied) if obj is not None and _is_secret(obj)]
    for obj in masked:
        _fold_string_data(obj)
    keys = sorted({key for obj in masked for key in _data(obj)})
    for key in keys:
        masks: dict[str, str] = {}
        for obj in masked:
            data = _data(obj)
            if key in data:
                value = _as_text(data[key])
                data[key] = masks.setdefault(value, _FIRST_MASK + _MASK_STEP * len(masks))
    if last_applied is not None and live is not None:
        live["metadata"]["annotations"][LAST_APPLIED] = marshal(last_applied)
    return target, live


def _is_secret(obj: dict[str, Any] | None) -> bool:
    """gitops-engine's test: kind Secret in the core group (apiVersion `v1`, no group before a slash)."""
    if not isinstance(obj, dict) or obj.get("kind") != "Secret":
        return False
    api_version = obj.get("apiVersion")
    return not isinstance(api_version, str) or "/" not in api_version


def _take_last_applied(live: dict[str, Any] | None) -> dict[str, Any] | None:
    """The live object's last-applied configuration, parsed; an annotation that does not parse as an object
    is masked whole here, since what it holds cannot be masked key by key."""
    if not _is_secret(live):
        return None
    assert live is not None
    metadata = live.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(annotations, dict) or LAST_APPLIED not in annotations:
        return None
    try:
        parsed = json.loads(annotations[LAST_APPLIED])
    except (TypeError, ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        annotations[LAST_APPLIED] = _FIRST_MASK
        return None
    if not _is_secret(parsed):
        # It describes some other object; its values are still this Secret's, so mask them as one.
        parsed = {**parsed, "apiVersion": "v1", "kind": "Secret"}
    return parsed


def _fold_string_data(obj: dict[str, Any]) -> None:
    """`stringData` moved into `data`, strings base64-encoded as the API server stores them; a null value in
    `data` becomes the empty string, as gitops-engine's `NormalizeSecret` makes it."""
    data = obj.get("data")
    if data is None:
        data = {}
    elif not isinstance(data, dict):
        data = {"": data}  # masked below as one value
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict):
        for key, value in string_data.items():
            data[key] = base64.b64encode(value.encode()).decode() if isinstance(value, str) else value
    elif string_data is not None:
        data[""] = string_data
    if data or "data" in obj:
        obj["data"] = {key: "" if value is None else value for key, value in data.items()}


def _data(obj: dict[str, Any]) -> dict[str, Any]:
    data = obj.get("data")
    return data if isinstance(data, dict) else {}


def _as_text(value: Any) -> str:
    """The value's identity for "equal values mask equally" (Go's `fmt.Sprintf("%s")` for strings)."""
    return value if isinstance(value, str) else marshal(value)
