"""Desired and live manifests compared for people to read: Secret values masked as Argo CD masks them.

The package grows with the pull-request commands (`wavecd diff`); today it holds what the server needs
before a diff leaves the process.
"""
