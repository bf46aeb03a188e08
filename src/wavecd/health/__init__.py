"""The health of one Kubernetes object, kind by kind, as Argo CD judges it."""
