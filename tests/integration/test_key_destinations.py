"""Keys go only where they should: a live key only to api.stripe.com unless the server is named with
--allow-live-key-to; plain http only to this machine; STRIPE_API_KEY checked like a pasted key; no telemetry."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from console.cli import main
from console.sandbox.app import Sandbox
from console.secrets.destination import UnsafeDestination, destination


@pytest.fixture(scope="module")
def live():
    with Sandbox(seed=9, customers=30, live=True) as sb:
        yield sb


def cli(capsys, *argv):
    code = main(list(argv))
    got = capsys.readouterr()
    return code, got.out, got.err


def test_a_live_key_is_not_sent_to_another_server_without_naming_it(live, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("STRIPE_API_KEY", live.key)
    before = len(live.log)
    code, _, err = cli(capsys, "--data-dir", str(tmp_path), "--api-base", live.url, "sync")
    assert code == 1 and "live key is sent only to https://api.stripe.com" in err and "--allow-live-key-to" in err
    assert len(live.log) == before  # nothing left this machine's process
    code, out, err = cli(capsys, "--data-dir", str(tmp_path), "--api-base", live.url, "--allow-live-key-to", live.url, "sync")
    assert code == 0 and f"a live key may be sent to {live.url}" in err


@pytest.mark.parametrize(
    ("base", "words"),
    [
        ("http://stripe-proxy.example.com", "plain http to another machine"),
        ("https://user:secret@api.example.com", "credentials"),
        ("ftp://127.0.0.1", "not a server address"),
        ("http://127.0.0.1:1\tx", "not a server address"),
        ("api.example.com", "not a server address"),
    ],
)
def test_keys_are_never_sent_to_a_broken_or_plain_http_remote_server(base, words):
    with pytest.raises(UnsafeDestination, match=words):
        destination("rk_test_" + "a" * 24, base)


def test_loopback_over_http_and_stripe_itself_are_fine():
    assert destination("rk_test_" + "a" * 24, "http://127.0.0.1:12111/") == "http://127.0.0.1:12111"
    assert destination("rk_test_" + "a" * 24, "http://[::1]:12111") == "http://[::1]:12111"
    assert destination("rk_live_" + "a" * 24, "https://api.stripe.com/") is None
    assert destination("rk_live_" + "a" * 24, None) is None


@pytest.mark.parametrize(
    ("key", "words"),
    [("pk_live_" + "a" * 24, "publishable"), ("sk_live_" + "a" * 24, "secret key"), ("sk_test_xyz", "does not look like")],
)
def test_stripe_api_key_is_checked_like_a_pasted_key(sandbox, tmp_path, monkeypatch, capsys, key, words):
    monkeypatch.setenv("STRIPE_API_KEY", key)
    before = len(sandbox.log)
    code, _, err = cli(capsys, "--data-dir", str(tmp_path), "--api-base", sandbox.url, "sync")
    assert code == 1 and "STRIPE_API_KEY" in err and words in err
    assert len(sandbox.log) == before


def test_a_secret_key_in_the_environment_needs_its_flag(sandbox, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("STRIPE_API_KEY", sandbox.secret_key)
    code, _, err = cli(capsys, "--data-dir", str(tmp_path), "--api-base", sandbox.url, "sync")
    assert code == 1 and "--allow-secret-key" in err
    code, _, _ = cli(capsys, "--data-dir", str(tmp_path), "--api-base", sandbox.url, "--allow-secret-key", "sync")
    assert code == 0


def test_the_environment_overriding_a_stored_profile_is_said(sandbox, tmp_path, monkeypatch, capsys):
    from console.services.keys import KeyService

    KeyService(tmp_path).connect("Acme test", sandbox.key, sandbox.url, session_only=True)
    monkeypatch.setenv("STRIPE_API_KEY", sandbox.key)
    code, _, err = cli(capsys, "--data-dir", str(tmp_path), "--api-base", sandbox.url, "sync")
    assert code == 0 and "not the stored profile 'Acme test'" in err


def test_nothing_is_written_outside_the_consoles_folders(sandbox, tmp_path):
    """The SDK's telemetry is off: no ~/.config/stripe/telemetry_id (stripe-python `_telemetry_id.py`)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")} | {"HOME": str(home), "STRIPE_API_KEY": sandbox.key}
    data = home / "data"
    run = subprocess.run(
        [sys.executable, "-m", "console", "--data-dir", str(data), "--api-base", sandbox.url, "sync"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    outside = [p for p in home.rglob("*") if data not in p.parents and p != data]
    assert outside == []


def test_smoke_says_why_it_failed(tmp_path):
    env = {**os.environ, "STRIPE_API_KEY": "rk_test_" + "a" * 24, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "console", "--data-dir", str(tmp_path / "d"), "--api-base", "http://127.0.0.1:9", "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1 and "the smoke test failed:" in run.stderr and "Stripe" in run.stderr
