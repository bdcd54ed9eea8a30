"""Suites and helpers that the benchmarks and the tests both run (the tests import them from
here; bench/ imports nothing from tests/)."""
