"""Measuring quality: the evaluation harness behind `rathaus eval` and the answer metrics."""
