"""What evaluating a policy on a resource yields: one `RuleResult` per rule that applies, with Kyverno's status
and message, and whether a failure blocks admission."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["RuleResult", "Status"]


class Status(enum.Enum):
    """Kyverno's rule statuses, plus `not-evaluated` for what wavecd does not run (mutate, generate, images…)."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"
    NOT_EVALUATED = "not-evaluated"


@dataclass(frozen=True)
class RuleResult:
    """One rule of one policy on one resource."""

    policy: str
    rule: str
    status: Status
    message: str
    enforce: bool = False
    blocks: bool = False
    """Whether Kyverno's admission webhook refuses the request for this result: a failure of a rule whose action
    is Enforce, or an error of one under `failurePolicy: Fail` (Audit rules run after the response)."""
