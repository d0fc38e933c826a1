"""Veiviser: cited passages from Norwegian mental-health and substance-abuse guidelines.

This package holds what every part of the project shares: settings, the chunk schema,
the law table and the command-line front door. Documents enter in `ingest/`, queries
are answered in `api/`, quality is measured in `evaluation/`.
"""

import os

# Haystack sends anonymous usage telemetry unless told not to; a health service sends nothing.
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
