"""Benchmarks, not part of the tests: ``python -m bench`` (``make bench``); see bench/README.md."""
