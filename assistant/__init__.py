"""Rathaus-Assistent: configuration, services, answer building and the `rathaus` CLI."""
