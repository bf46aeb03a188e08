"""Registers the `conformance` marker so the suite can be selected (`-m conformance`) or left out."""


def pytest_configure(config):
    config.addinivalue_line("markers", "conformance: wavecd helm template compared byte for byte with real helm")
