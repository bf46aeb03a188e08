"""Kubernetes' timestamps: `metav1.Time` is RFC 3339 in UTC to the second (`2006-01-02T15:04:05Z`), the shape
of every `startedAt`, `finishedAt`, `reconciledAt` and `lastTransitionTime` Argo CD writes."""

from __future__ import annotations

import datetime

__all__ = ["format_kube_time", "kube_now", "parse_kube_time"]

_LAYOUT = "%Y-%m-%dT%H:%M:%SZ"


def format_kube_time(moment: datetime.datetime) -> str:
    """`moment` as a `metav1.Time` is written (a naive time is taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return moment.strftime(_LAYOUT)


def kube_now() -> str:
    """Now, as Kubernetes writes it."""
    return format_kube_time(datetime.datetime.now(datetime.UTC))


def parse_kube_time(value: object) -> datetime.datetime | None:
    """The moment a `metav1.Time` names, aware, in UTC (fractions of a second allowed, as `metav1.MicroTime`
    has them); None when absent or not a time, which every caller treats as "never happened"."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(datetime.UTC) if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
