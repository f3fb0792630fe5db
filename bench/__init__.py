"""Benchmarks at fixed data sizes (run with ``make bench``); they print figures, not verdicts."""
