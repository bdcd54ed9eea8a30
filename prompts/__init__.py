"""Versioned German prompt templates (data, not code): `<name>/v<N>.yaml`."""
