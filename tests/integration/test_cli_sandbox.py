"""`churn-console sandbox` as a separate process, driven through the SDK."""

from __future__ import annotations

import os
import subprocess
import sys

import stripe


def test_sandbox_command_prints_url_and_key_then_serves():
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "sandbox", "--port", "0", "--seed", "3", "--customers", "40", "--live"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first = proc.stdout.readline().strip()
        url_part, key_part, admin_part = first.split(" ")
        assert admin_part.startswith("SANDBOX_ADMIN_KEY=sbx_admin_")
        assert url_part.startswith("SANDBOX_URL=http://127.0.0.1:")
        key = key_part.removeprefix("SANDBOX_KEY=")
        assert key.startswith("rk_live_")
        client = stripe.StripeClient(key, base_addresses={"api": url_part.removeprefix("SANDBOX_URL=")})
        subs = client.v1.subscriptions.list({"limit": 100})
        assert subs.data and all(s.livemode for s in subs.data)
        assert client.v1.invoices.list({"limit": 1}).data  # by default the first 2,000 customers have their invoices
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_sandbox_invoice_history_says_which_customers_get_their_invoices():
    """--invoice-history N: only the first N customers are given invoices (0: none; a benchmark of invoice reads
    gives every customer theirs, as a real account has)."""
    for history, some in (("0", False), ("25", True)):
        proc = subprocess.Popen(
            [sys.executable, "-m", "console", "sandbox", "--seed", "3", "--customers", "25", "--invoice-history", history],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            url_part, key_part, _admin = proc.stdout.readline().strip().split(" ")
            client = stripe.StripeClient(
                key_part.removeprefix("SANDBOX_KEY="), base_addresses={"api": url_part.removeprefix("SANDBOX_URL=")}
            )
            customers = {i.customer for i in client.v1.invoices.list({"limit": 100}).auto_paging_iter()}
            assert bool(customers) is some, history
            if some:  # the first customers' invoices, not only a few
                assert len(customers) >= 15
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_sandbox_refuses_non_loopback_hosts():
    done = subprocess.run(
        [sys.executable, "-m", "console", "sandbox", "--host", "0.0.0.0"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "loopback" in done.stderr


def test_help_has_examples():
    done = subprocess.run([sys.executable, "-m", "console", "sandbox", "--help"], capture_output=True, text=True, timeout=60)
    assert "example:" in done.stdout and "SANDBOX_URL=" in done.stdout


def test_window_without_a_key_says_what_to_do(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "STRIPE_API_KEY"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, "-m", "console", "--data-dir", str(tmp_path), "--smoke"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 1
