"""`wavecd serve`: the long-running controller that keeps the app tree synced, and its HTTP API.

In Argo CD's terms the application controller, the ApplicationSet controller, the repo-server and the API
server in one process. It stands beside `cli` and drives the same `operations`, `apps`, `plan` and `sync`
calls the commands use; every bit of state it must not lose lives in the Kubernetes API (Applications and
Leases), never only in the process.
"""
