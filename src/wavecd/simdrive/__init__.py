"""The simulated cluster's controllers driving another API server (`wavecd sim controllers --kubeconfig F`), so a
rollout can be rehearsed on a real kube-apiserver that has no kubelets and no controller manager."""

from wavecd.simdrive.drive import ControllersOnServer

__all__ = ["ControllersOnServer"]
