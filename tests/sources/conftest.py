"""The session fixtures of the sources tests (real registries and a Helm repository on loopback)."""

from registry_fixtures import basic_registry, helm_repo, open_registry, token_registry

__all__ = ["basic_registry", "helm_repo", "open_registry", "token_registry"]
