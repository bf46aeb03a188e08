"""Fetching sources at a revision into local read-only trees: git, Helm repositories, OCI registries."""
