"""YAML read and written as go-yaml v2 and sigs.k8s.io/yaml do, and JSON as encoding/json writes it."""
