"""`wavecd promote`: the one place an app's Helm parameter is set, found and edited in place.

`keypath` reads a parameter name as Helm's `--set` writes it, `yaml_edit` changes one scalar of a YAML file
without touching any other byte, `sites` finds where an app's parameter is set (its value files, its
Application's `values`/`valuesObject`/`parameters`), and `git_commit` records the edit. The preview (the
rendered diff of every app the edit affects) is `wavecd.operations.promote`'s, which walks the tree.
"""
