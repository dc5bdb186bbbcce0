"""Sync: Stripe to the local cache. Pure Python (no Qt); progress goes through a callback. Its modules are
imported by name (`sync.engine`, `sync.report`): the window imports `sync.state` at start, and the engine with the
requests it makes only when it first syncs."""
