"""The one rule for the operator's name (services/operator.py): given, else the environment, else the login."""

import getpass

from console.services.operator import NOBODY, OPERATOR_ENV, operator_name


def test_a_given_name_wins_and_is_trimmed(monkeypatch):
    monkeypatch.setenv(OPERATOR_ENV, "Env Name")
    assert operator_name("  Dana (CS) ") == "Dana (CS)"
    assert len(operator_name("x" * 900)) == 500  # Stripe's metadata values hold 500 characters


def test_then_the_environment_then_the_login(monkeypatch):
    monkeypatch.setenv(OPERATOR_ENV, "Casey")
    assert operator_name("") == operator_name(None) == operator_name("   ") == "Casey"
    monkeypatch.delenv(OPERATOR_ENV)
    monkeypatch.setattr(getpass, "getuser", lambda: "robin")
    assert operator_name(None) == "robin"


def test_no_login_name_at_all_is_still_a_name(monkeypatch):
    monkeypatch.delenv(OPERATOR_ENV, raising=False)

    def no_user():
        raise KeyError("getpwuid(): uid not found: 1000")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert operator_name(None) == NOBODY
