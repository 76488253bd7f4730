"""Hypothesis profiles: ``HYPOTHESIS_PROFILE=thorough`` runs ten times more random cases."""

import os

from hypothesis import HealthCheck, settings

COMMON = {
    "deadline": None,
    "derandomize": True,  # the same cases on every run: CI results are reproducible
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("default", max_examples=200, **COMMON)
settings.register_profile("ci", max_examples=500, **COMMON)
settings.register_profile("thorough", max_examples=5000, **COMMON)
# make mutate runs the suite once per mutant: fewer random cases, the same derandomized ones
settings.register_profile("mutate", max_examples=25, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
