"""Versions of a norm: the version in force on a date, comparing versions and what changed."""
