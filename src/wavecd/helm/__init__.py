"""Helm charts rendered exactly as `helm template` renders them."""
