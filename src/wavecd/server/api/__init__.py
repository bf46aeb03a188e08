"""The HTTP API of `wavecd serve`, shaped like Argo CD's `/api/v1`: one module per job — `auth` (tokens and
roles), `errors` (refusals as JSON), `bodies` (request bodies checked), `applications`, `resources`,
`stream` (the watch) and `webhook` routes, `app` (assembly)."""

from wavecd.server.api.app import build_api

__all__ = ["build_api"]
