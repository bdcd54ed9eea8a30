"""One module per CLI command group, registered on `assistant.cli.app`."""
