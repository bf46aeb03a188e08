"""Every rule of `wavecd lint`, gathered from the group modules in ID order."""

from __future__ import annotations

from wavecd.lint.model import Rule
from wavecd.lint.rules import argocd, kubernetes, kyverno_policies, order, policy

__all__ = ["ALL_RULES"]

ALL_RULES: tuple[Rule, ...] = tuple(
    sorted(
        (*order.RULES, *argocd.RULES, *kubernetes.RULES, *policy.RULES, *kyverno_policies.RULES),
        key=lambda rule: rule.id,
    )
)
