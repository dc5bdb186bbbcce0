"""Sandboxes on loopback, real SDK clients pointed at them, and the CLI run against them in this process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import stripe

from console.sandbox.app import Sandbox


def client_for(sb: Sandbox, key: str | None = None, retries: int = 0) -> stripe.StripeClient:
    return stripe.StripeClient(key or sb.key, base_addresses={"api": sb.url}, max_network_retries=retries)


def cli_runner(sb: Sandbox, data: Path, monkeypatch, capsys, operator: str) -> Callable[..., tuple[int, str, str]]:
    """`churn-console ARGS…` with the sandbox's restricted key, on `data`, as `operator`: (exit code, stdout, stderr).
    The sandbox is at `run.sb`."""
    from console.cli import main

    monkeypatch.setenv("STRIPE_API_KEY", sb.key)
    monkeypatch.setenv("CHURN_CONSOLE_OPERATOR", operator)

    def cli(*argv: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data), "--api-base", sb.url, *argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    cli.sb = sb  # type: ignore[attr-defined]
    cli.data = data  # type: ignore[attr-defined]
    return cli


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
