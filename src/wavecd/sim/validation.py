"""The object validation users trip over most, with the apiserver's wording: names, and CRD names."""

from __future__ import annotations

import re

from wavecd.sim import apierrors
from wavecd.sim.registry import Kind

_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
# Kinds whose names must be DNS labels rather than subdomains
_LABEL_NAMED = {("", "Namespace"), ("", "Service")}


def validate(kind: Kind, obj: dict) -> None:
    """Raise 422 Invalid for a malformed name (or CRD name), as the apiserver does on create."""
    name = str((obj.get("metadata") or {}).get("name") or "")
    causes = []
    if (kind.group, kind.kind) in _LABEL_NAMED:
        if not _LABEL.fullmatch(name) or len(name) > 63:
            causes.append(("FieldValueInvalid", "metadata.name", f'Invalid value: "{name}": {LABEL_MESSAGE}'))
    elif not _SUBDOMAIN.fullmatch(name) or len(name) > 253:
        causes.append(("FieldValueInvalid", "metadata.name", f'Invalid value: "{name}": {SUBDOMAIN_MESSAGE}'))
    if (kind.group, kind.kind) == ("apiextensions.k8s.io", "CustomResourceDefinition") and not causes:
        spec = obj.get("spec") or {}
        expected = f"{(spec.get('names') or {}).get('plural', '')}.{spec.get('group', '')}"
        if name != expected:
            causes.append(
                (
                    "FieldValueInvalid",
                    "metadata.name",
                    f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group',
                )
            )
    if causes:
        raise apierrors.invalid(kind, name, causes)
