"""When simulated objects become ready, fail, or never settle: kwok-style rules with per-object overrides.

Each kind has a default `Timing` (delay before the controller writes the healthy end state). An object can
override it with annotations, to rehearse failures:

- `sim.wavecd.io/ready-after: "30s"`: the delay (Go-style durations: `500ms`, `2s`, `1m30s`; a bare number is
  seconds);
- `sim.wavecd.io/outcome: never|fail`: never become ready, or fail;
- `sim.wavecd.io/fail-after: "10s"`: with `outcome: fail`, when the failure shows (default: the ready delay).

Workloads pass their annotations on to what they create (a Deployment's to its ReplicaSet, a pod template's to
its pods), as the real controllers copy them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

READY_AFTER = "sim.wavecd.io/ready-after"
OUTCOME = "sim.wavecd.io/outcome"
FAIL_AFTER = "sim.wavecd.io/fail-after"
OUTCOMES = ("ready", "never", "fail")

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float | None:
    """Seconds in a Go duration string (`1m30s`), or None when it is not one."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    pos, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return total if pos == len(text) and text else None


@dataclass(frozen=True)
class Timing:
    delay: float
    outcome: str = "ready"
    fail_after: float | None = None

    @property
    def failure_delay(self) -> float:
        return self.delay if self.fail_after is None else self.fail_after


# (group, kind) -> default delay in seconds. `*` as kind: every kind of that group.
DEFAULT_DELAYS: dict[tuple[str, str], float] = {
    ("", "Namespace"): 0.0,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): 0.2,
    ("apps", "Deployment"): 1.0,
    ("apps", "ReplicaSet"): 1.0,
    ("apps", "StatefulSet"): 1.5,
    ("apps", "DaemonSet"): 1.0,
    ("batch", "Job"): 2.0,
    ("", "Pod"): 1.0,
    ("", "PersistentVolumeClaim"): 0.5,
    ("", "Service"): 0.5,
    ("networking.k8s.io", "Ingress"): 1.0,
    ("apiregistration.k8s.io", "APIService"): 0.5,
    ("autoscaling", "HorizontalPodAutoscaler"): 0.5,
    # A Karpenter NodeClaim: from launch to a Ready Node (EC2 boot and kubelet registration).
    ("karpenter.sh", "NodeClaim"): 20.0,
}
# Custom resources whose operators the example repository installs: they report `Ready=True` after this delay.
READY_CONDITION_GROUPS: dict[str, float] = {
    "karpenter.sh": 1.0,
    "karpenter.k8s.aws": 1.0,
    "networking.istio.io": 0.5,
    "security.istio.io": 0.5,
    "telemetry.istio.io": 0.5,
    "install.istio.io": 2.0,
    "external-secrets.io": 1.0,
    "monitoring.coreos.com": 0.5,
    "cert-manager.io": 1.0,
    "kyverno.io": 0.5,
    "elbv2.k8s.aws": 0.5,
    "externaldns.k8s.io": 0.5,
}


class Rules:
    """Default timings plus overrides; `timing(group, kind, obj)` applies the object's annotations."""

    def __init__(
        self,
        delays: Mapping[tuple[str, str], float] | None = None,
        ready_groups: Mapping[str, float] | None = None,
        scale: float = 1.0,
    ):
        self.delays = dict(DEFAULT_DELAYS if delays is None else delays)
        self.ready_groups = dict(READY_CONDITION_GROUPS if ready_groups is None else ready_groups)
        self.scale = scale

    def default(self, group: str, kind: str) -> Timing | None:
        delay = self.delays.get((group, kind), self.delays.get((group, "*")))
        if delay is None:
            delay = self.ready_groups.get(group)
        return None if delay is None else Timing(delay * self.scale)

    def has_ready_condition(self, group: str) -> bool:
        return group in self.ready_groups

    def timing(self, group: str, kind: str, obj: dict) -> Timing:
        base = self.default(group, kind) or Timing(0.0)
        return override(base, (obj.get("metadata") or {}).get("annotations") or {})


def override(base: Timing, annotations: Mapping[str, str]) -> Timing:
    timing = base
    delay = parse_duration(str(annotations.get(READY_AFTER, "")))
    if delay is not None:
        timing = replace(timing, delay=delay)
    outcome = annotations.get(OUTCOME)
    if outcome in OUTCOMES:
        timing = replace(timing, outcome=outcome)
    fail_after = parse_duration(str(annotations.get(FAIL_AFTER, "")))
    if fail_after is not None:
        timing = replace(timing, fail_after=fail_after)
    return timing


def sim_annotations(annotations: Mapping[str, str] | None) -> dict[str, str]:
    """The `sim.wavecd.io/*` annotations, to pass on to created objects."""
    return {k: v for k, v in (annotations or {}).items() if k.startswith("sim.wavecd.io/")}
