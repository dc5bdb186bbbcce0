"""The CLI's subcommands, one module each (no Qt on these paths)."""
