"""API keys: their format, and where they live (the OS keyring, or memory for one session)."""
