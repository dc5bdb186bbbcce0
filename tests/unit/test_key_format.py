"""Keys are judged by their shape before any request."""

import pytest

from console.secrets.keys import KeyRejected, inspect_key

GOOD = "rk_test_" + "A1b2C3d4" * 4


def test_restricted_keys_are_accepted_and_trimmed():
    key, info = inspect_key(f"  '{GOOD}'\n")
    assert key == GOOD and info.kind == "restricted" and info.mode == "test"
    assert inspect_key(GOOD.replace("_test_", "_live_"))[1].livemode


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "Paste"),
        ("   ", "Paste"),
        ("pk_test_" + "x" * 30, "publishable"),
        ("sk_live_" + "x" * 30, "secret key"),
        ("rk_test_short", "does not look like"),
        ("rk_test_" + "x" * 20 + " y", "does not look like"),
        ("rk_prod_" + "x" * 30, "does not look like"),
        ("whsec_" + "x" * 30, "webhook secret"),
        ("sub_1234567890", "Stripe id"),
        ("hello world", "does not look like"),
    ],
)
def test_bad_keys_are_refused_with_what_to_do(raw, words):
    with pytest.raises(KeyRejected) as info:
        inspect_key(raw)
    assert words in str(info.value)
    assert "Create restricted key" in info.value.hint


def test_secret_keys_only_when_allowed():
    key, info = inspect_key("sk_test_" + "x" * 30, allow_secret=True)
    assert info.kind == "secret"


def test_a_rejected_key_never_appears_in_the_message():
    raw = "rk_test_" + "Z" * 20 + "!!"
    with pytest.raises(KeyRejected) as info:
        inspect_key(raw)
    assert "ZZZZZZZZ" not in str(info.value) and "ZZZZZZZZ" not in repr(info.value)
