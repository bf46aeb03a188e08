"""Kyverno `ClusterPolicy` and `Policy` validate rules evaluated as Kyverno evaluates them, offline: match and
exclude, patterns with anchors and value operators, deny conditions over JMESPath, variables, autogen for Pod
controllers, failure actions and Kyverno's messages ([docs/kyverno.md](../../../docs/kyverno.md)).

Pure: plain dicts in, `RuleResult`s out; no cluster, network or clock."""

from wavecd.kyverno.engine import evaluate, not_evaluated_reason
from wavecd.kyverno.match import Request, UserInfo
from wavecd.kyverno.messages import admission_denial, blocked_message
from wavecd.kyverno.policy import Policy, PolicyError, is_policy, load_policy
from wavecd.kyverno.results import RuleResult, Status

__all__ = [
    "Policy",
    "PolicyError",
    "Request",
    "RuleResult",
    "Status",
    "UserInfo",
    "admission_denial",
    "blocked_message",
    "evaluate",
    "is_policy",
    "load_policy",
    "not_evaluated_reason",
]
