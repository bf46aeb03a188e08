"""wavecd: GitOps continuous delivery for Kubernetes on Argo CD's App-of-Apps model."""

__version__ = "0.1.0"
