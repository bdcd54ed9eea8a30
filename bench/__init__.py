"""Benchmark scripts (run as `python bench/NAME.py`) and the suites they share with the tests."""
