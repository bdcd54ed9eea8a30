"""The `rathaus` command line: parses options, calls one service, prints. No logic of its own."""
