"""Sandboxes on loopback and real SDK clients pointed at them."""

from __future__ import annotations

import pytest
import stripe

from console.sandbox.app import Sandbox


def client_for(sb: Sandbox, key: str | None = None, retries: int = 0) -> stripe.StripeClient:
    return stripe.StripeClient(key or sb.key, base_addresses={"api": sb.url}, max_network_retries=retries)


@pytest.fixture(scope="session")
def shared_sandbox():
    """A read-mostly sandbox for tests that only read (faster than one per test)."""
    with Sandbox(seed=7, customers=150) as sb:
        yield sb


@pytest.fixture(scope="session")
def shared_client(shared_sandbox):
    return client_for(shared_sandbox)


@pytest.fixture
def sandbox():
    """A fresh sandbox for a test that mutates state or injects faults."""
    with Sandbox(seed=11, customers=60) as sb:
        yield sb


@pytest.fixture
def client(sandbox):
    return client_for(sandbox)
