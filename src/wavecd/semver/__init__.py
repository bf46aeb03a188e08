"""Versions and constraints as Masterminds/semver v3 handles them."""
