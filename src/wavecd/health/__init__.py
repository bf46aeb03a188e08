"""The health of one Kubernetes object, kind by kind, as Argo CD judges it (gitops-engine `pkg/health/`,
Argo CD `controller/health.go`).

Pure functions over plain dicts shaped like API objects: `assess` for one object, `aggregate` for an app.
"""

from wavecd.common import HealthStatus  # the type of `Health.status`, defined with Argo's vocabulary
from wavecd.health.aggregate import AppHealth, ManagedResource, aggregate
from wavecd.health.assess import DEFAULT_RULES, Rule, assess
from wavecd.health.hooks import is_hook
from wavecd.health.status import Health

__all__ = [
    "DEFAULT_RULES",
    "AppHealth",
    "Health",
    "HealthStatus",
    "ManagedResource",
    "Rule",
    "aggregate",
    "assess",
    "is_hook",
]
