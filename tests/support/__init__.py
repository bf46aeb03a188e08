"""What more than one test folder needs (fixtures, helpers, the places and tables of the examples), defined
once here instead of copied into each folder.

tests/conftest.py loads the fixture modules as plugins, so every folder sees the same fixtures; helpers are
imported (`from support.paths import STAGING`), tests/ being on the import path as the root conftest's folder.
"""
