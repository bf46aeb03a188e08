"""Shared test configuration: the fixtures of tests/support for every folder, a fixed hypothesis profile for
CI, a faster one for local runs, and a throw-away cache folder."""

import os
import tempfile

from hypothesis import HealthCheck, settings

pytest_plugins = ["support.browser", "support.real_apiserver", "support.registries", "support.sim", "support.staging"]

settings.register_profile(
    "ci", max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# Renders, template caches and fetched charts go to a throw-away folder, never the user's cache, even when
# the user has set WAVECD_CACHE_DIR; xdist's workers inherit the folder the first process made.
os.environ.setdefault("WAVECD_TEST_CACHE_DIR", tempfile.mkdtemp(prefix="wavecd-test-cache-"))
os.environ["WAVECD_CACHE_DIR"] = os.environ["WAVECD_TEST_CACHE_DIR"]
