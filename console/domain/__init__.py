"""Plain dataclasses and pure functions: the console's vocabulary, with no I/O."""
