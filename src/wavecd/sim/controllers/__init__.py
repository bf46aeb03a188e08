"""Simulated controllers: what kube-controller-manager, the kubelet and a few operators would write."""
