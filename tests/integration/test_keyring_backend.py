"""The test command provides a real Secret Service (gnome-keyring in a private dbus session)."""

from __future__ import annotations

import os
import uuid

import keyring
import pytest

pytestmark = pytest.mark.keyring
REAL = os.environ.get("CHURN_CONSOLE_REAL_KEYRING") == "1"


@pytest.mark.skipif(not REAL, reason="run through ./dev test, which starts gnome-keyring in a private session")
def test_secret_service_backend_stores_and_deletes():
    backend = keyring.get_keyring()
    assert "SecretService" in type(backend).__module__ + type(backend).__name__, backend
    user = f"probe-{uuid.uuid4().hex[:8]}"
    keyring.set_password("churn-console-test", user, "value-1")
    assert keyring.get_password("churn-console-test", user) == "value-1"
    keyring.delete_password("churn-console-test", user)
    assert keyring.get_password("churn-console-test", user) is None
