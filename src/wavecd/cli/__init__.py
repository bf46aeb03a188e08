"""The `wavecd` command."""
