"""Application services: pure-Python use cases that the UI and the CLI share."""
