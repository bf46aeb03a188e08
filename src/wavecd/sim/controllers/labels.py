"""Label matching as the API's types define it: a node selector requirement and a label selector.

One home for both, because the scheduler's filters, inter-pod affinity, topology spread and the Karpenter
stand-in all match labels the same way.
"""

from __future__ import annotations

__all__ = ["matches_requirement", "object_labels", "selects"]


def object_labels(obj: dict) -> dict[str, str]:
    return (obj.get("metadata") or {}).get("labels") or {}


def _number(text: object) -> int | None:
    try:
        return int(str(text))
    except ValueError:
        return None


def matches_requirement(expr: dict, labels: dict[str, str]) -> bool:
    """One requirement (`key`, `operator`, `values`) against labels: a node selector's operators (In, NotIn,
    Exists, DoesNotExist, Gt, Lt), which include a label selector's."""
    key, op, values = expr.get("key", ""), expr.get("operator", ""), [str(v) for v in expr.get("values") or []]
    present = key in labels
    if op == "In":
        return present and labels[key] in values
    if op == "NotIn":
        return not present or labels[key] not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and len(values) == 1:
        have, bound = _number(labels[key]), _number(values[0])
        if have is None or bound is None:
            return False
        return have > bound if op == "Gt" else have < bound
    return False


def selects(selector: dict | None, labels: dict[str, str]) -> bool:
    """A label selector (`matchLabels`, `matchExpressions`) against labels: `None` selects nothing, `{}` all."""
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    return all(matches_requirement(e, labels) for e in selector.get("matchExpressions") or [])
