"""Desired and live manifests compared for people to read: Argo CD's normalization before a diff, Secret
values masked as Argo CD masks them, unified diffs of manifests, two walks of a tree compared app by app
(`wavecd diff`), and that comparison as a pull-request comment."""
