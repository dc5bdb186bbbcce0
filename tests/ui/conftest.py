"""UI fixtures: the demo connection, shared by the window tests."""
