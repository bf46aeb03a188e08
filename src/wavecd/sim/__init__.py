"""A local Kubernetes-compatible API server with simulated controllers."""
