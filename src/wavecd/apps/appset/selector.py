"""Kubernetes label selectors, as generators apply them to flattened parameter sets."""

from __future__ import annotations

from typing import Any

from wavecd.apps.appset.errors import AppSetError


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """`metav1.LabelSelector` semantics: every matchLabels pair and every matchExpression must hold."""
    if selector is None:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key = expression.get("key", "")
        operator = expression.get("operator", "")
        values = expression.get("values") or []
        present = key in labels
        if operator == "In":
            ok = present and labels[key] in values
        elif operator == "NotIn":
            ok = not present or labels[key] not in values
        elif operator == "Exists":
            ok = present
        elif operator == "DoesNotExist":
            ok = not present
        else:
            raise AppSetError(f'error parsing label selector: "{operator}" is not a valid label selector operator')
        if not ok:
            return False
    return True
