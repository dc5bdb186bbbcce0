"""The one rule for the operator's name (services/operator.py): given, else the environment, else the data dir's, else the login."""

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


def test_the_data_dirs_name_comes_after_the_environment_and_before_the_login(monkeypatch, tmp_path):
    from console.services.operator import NAME_FILE, store_name, stored_name

    monkeypatch.setattr(getpass, "getuser", lambda: "root")
    monkeypatch.delenv(OPERATOR_ENV, raising=False)
    store_name(tmp_path, "  Priya Patel ")
    assert operator_name(None, tmp_path) == "Priya Patel"  # the window's Preferences, read by every command
    monkeypatch.setenv(OPERATOR_ENV, "Casey")
    assert operator_name(None, tmp_path) == "Casey"  # the environment still overrides it
    assert operator_name("Dana", tmp_path) == "Dana"  # and --operator overrides both, for one command
    monkeypatch.delenv(OPERATOR_ENV)
    (tmp_path / NAME_FILE).write_text("{not json", "utf-8")
    assert stored_name(tmp_path) is None and operator_name(None, tmp_path) == "root"  # unreadable: the next rule
    store_name(tmp_path, "")
    assert operator_name(None, tmp_path) == "root"  # cleared
