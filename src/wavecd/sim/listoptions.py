"""A list's `continue` and `resourceVersionMatch`, refused or answered as the apiserver does, although the sim
never paginates (it issues no continue token) and keeps no history (only the current state can be listed).

A client that sends a token the sim did not issue gets the apiserver's 400 for an invalid token, not the whole
list as if it had asked for the first page; `resourceVersionMatch=Exact` at a version older than the current one
gets the apiserver's answer for a version it no longer has (410), at a newer one its 504 (docs/sim.md,
"Deviations": the real apiserver serves an old version until etcd compacts it).
"""

from __future__ import annotations

from wavecd.sim import apierrors
from wavecd.sim.watch import LIST_OPTIONS

__all__ = ["check_list_options"]


def check_list_options(query: dict[str, str], current: int) -> None:
    """Raise the `ApiError` the apiserver answers a list with `query` with, when the store is at `current`."""
    if query.get("continue"):
        raise apierrors.bad_request(
            "invalid continue token: continue key is not valid: the simulated cluster issued no continue token"
        )
    match = query.get("resourceVersionMatch") or ""
    version = query.get("resourceVersion") or ""
    if match and not version:
        cause = "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"
        raise apierrors.invalid(LIST_OPTIONS, "", [("FieldValueForbidden", "resourceVersionMatch", cause)])
    if match != "Exact" or not version.isdigit() or version == "0":
        return
    if int(version) < current:
        raise apierrors.ApiError(410, "Expired", f"too old resource version: {version} ({current})")
    if int(version) > current:
        details = {
            "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
            "retryAfterSeconds": 1,
        }
        message = f"Timeout: Too large resource version: {version}, current: {current}"
        raise apierrors.ApiError(504, "Timeout", message, details)
