"""The object validation users trip over most, with the apiserver's wording: names, and CRD names."""

from __future__ import annotations

from wavecd.common.names import LABEL_MESSAGE, SUBDOMAIN_MESSAGE, is_label, is_subdomain
from wavecd.sim import apierrors
from wavecd.sim.registry import Kind

# Kinds whose names must be DNS labels rather than subdomains
_LABEL_NAMED = {("", "Namespace"), ("", "Service")}


def validate(kind: Kind, obj: dict) -> None:
    """Raise 422 Invalid for a malformed name (or CRD name), as the apiserver does on create."""
    name = str((obj.get("metadata") or {}).get("name") or "")
    causes = []
    if (kind.group, kind.kind) in _LABEL_NAMED:
        if not is_label(name):
            causes.append(("FieldValueInvalid", "metadata.name", f'Invalid value: "{name}": {LABEL_MESSAGE}'))
    elif not is_subdomain(name):
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
