"""Keys against a real Secret Service (gnome-keyring started by `./dev test`) and the sandbox."""

from __future__ import annotations

import logging
import os
import uuid

import keyring
import keyring.backends.fail
import pytest

from console import logs
from console.errors import AuthenticationFailed, Offline
from console.sandbox.app import Sandbox
from console.sandbox.keys import ALL_PERMISSIONS
from console.secrets.keys import NEEDED, KeyRejected
from console.secrets.keystore import SERVICE, KeyringUnavailable, KeyStore
from console.services.keys import KeyMissing, KeyService
from console.services.profiles import ProfileError
from console.services.workspace import Workspace

REAL = os.environ.get("CHURN_CONSOLE_REAL_KEYRING") == "1"
needs_secret_service = pytest.mark.skipif(
    not REAL, reason="run through ./dev test, which starts gnome-keyring in a private session"
)


@pytest.fixture
def profile_name():
    name = f"Acme {uuid.uuid4().hex[:8]}"
    yield name
    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.KeyringError:
        pass


@needs_secret_service
def test_connect_stores_the_key_only_in_the_keyring(sandbox, tmp_path, profile_name):
    service = KeyService(tmp_path)
    profile, verified = service.connect(profile_name, sandbox.key, sandbox.url)
    assert keyring.get_password(SERVICE, profile_name) == sandbox.key
    assert "SecretService" in service.keystore.status().name
    assert verified.account.name == profile_name and not profile.livemode  # the key cannot read the account's name
    assert all(profile.permissions.values()) and len(profile.permissions) == len(NEEDED)
    assert sandbox.key not in (tmp_path / "profiles.json").read_text()
    assert service.gateway(profile_name).livemode is False


@needs_secret_service
@pytest.mark.parametrize(("code", "label", "_enables"), NEEDED)
def test_permission_table_for_keys_that_each_lack_one_permission(shared_sandbox, tmp_path, profile_name, code, label, _enables):
    key = shared_sandbox.make_key(ALL_PERMISSIONS - {code, code.replace("_read", "_write")})  # a write implies its read
    service = KeyService(tmp_path)
    _profile, verified = service.connect(profile_name, key, shared_sandbox.url)
    granted = {p.code: p.granted for p in verified.permissions}
    assert granted[code] is False
    assert all(ok for other, ok in granted.items() if other != code)
    from console.services.permissions import table

    assert f"Missing: {label}" in table(verified.permissions)


@needs_secret_service
def test_rotate_replaces_the_key_for_the_same_account_only(sandbox, tmp_path, profile_name):
    service = KeyService(tmp_path)
    service.connect(profile_name, sandbox.key, sandbox.url)
    new_key = sandbox.make_key()
    service.rotate(profile_name, new_key)
    assert keyring.get_password(SERVICE, profile_name) == new_key
    with Sandbox(seed=99, customers=5) as other:
        other.state.account["id"] = "acct_someone_else"
        profile = service.profiles.get(profile_name)
        profile.api_base = other.url  # one account per sandbox: reach the other account at its own address
        service.profiles.put(profile)
        with pytest.raises(ProfileError) as info:
            service.rotate(profile_name, other.key)
    assert f"not to {profile_name}" in str(info.value)
    assert keyring.get_password(SERVICE, profile_name) == new_key


@needs_secret_service
def test_delete_removes_the_key_keeps_the_cache_unless_asked_and_always_the_journal(sandbox, tmp_path, profile_name):
    service = KeyService(tmp_path)
    service.connect(profile_name, sandbox.key, sandbox.url)
    ws = Workspace.connect(service.gateway(profile_name), tmp_path)
    ws.sync()
    ws.journal  # noqa: B018 - creates the journal file
    ws.close()
    service.delete(profile_name)
    assert keyring.get_password(SERVICE, profile_name) is None
    assert list(tmp_path.glob("acct_*-test.sqlite3"))
    service.connect(profile_name, sandbox.key, sandbox.url)
    service.delete(profile_name, purge_cache=True)
    assert not list(tmp_path.glob("acct_*-test.sqlite3"))
    assert list(tmp_path.glob("journal-*.sqlite3"))
    with pytest.raises(ProfileError):
        service.gateway(profile_name)


@needs_secret_service
@pytest.mark.parametrize(
    "bad",
    [
        "",
        "pk_test_" + "x" * 30,
        "sk_test_" + "x" * 30,
        "rk_test_short",
        "rk_test_" + "x" * 30 + " extra",
        "cus_123456789012345678",
    ],
)
def test_malformed_keys_store_nothing(sandbox, tmp_path, profile_name, bad):
    service = KeyService(tmp_path)
    before = len(sandbox.log)
    with pytest.raises(KeyRejected):
        service.connect(profile_name, bad, sandbox.url)
    assert len(sandbox.log) == before  # refused before any request
    assert keyring.get_password(SERVICE, profile_name) is None
    assert not (tmp_path / "profiles.json").exists()


@needs_secret_service
def test_revoked_and_unreachable_keys_store_nothing(sandbox, tmp_path, profile_name):
    service = KeyService(tmp_path)
    revoked = sandbox.make_key()
    sandbox.revoke_key(revoked)
    with pytest.raises(AuthenticationFailed) as info:
        service.connect(profile_name, revoked, sandbox.url)
    assert "rolled or deleted" in str(info.value)
    with pytest.raises(Offline):
        service.connect(profile_name, sandbox.key, "http://127.0.0.1:9")
    assert keyring.get_password(SERVICE, profile_name) is None
    assert not (tmp_path / "profiles.json").exists()


def test_an_insecure_keyring_is_refused_and_the_session_only_choice_works(sandbox, tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        service = KeyService(tmp_path, KeyStore())
        assert not service.keystore.status().secure
        with pytest.raises(KeyringUnavailable) as info:
            service.connect("Acme", sandbox.key, sandbox.url)
        assert "session only" in str(info.value)
        profile, _ = service.connect("Acme", sandbox.key, sandbox.url, session_only=True)
        assert profile.stored is False
        assert service.gateway("Acme").account().id == sandbox.state.account["id"]
        fresh = KeyService(tmp_path, KeyStore())  # a later session: the key was never written anywhere
        with pytest.raises(KeyMissing) as missing:
            fresh.gateway("Acme")
        assert "one session only" in str(missing.value)
        assert sandbox.key not in "".join(p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file())
    finally:
        keyring.set_keyring(previous)


@needs_secret_service
def test_no_file_log_setting_exception_or_repr_holds_the_key(qtbot, sandbox, tmp_path, profile_name, caplog):
    """A whole session: store, sync, act, open the window, rotate, fail with a bad key; then look everywhere."""
    from console.actions import Consent
    from console.domain.offers import RevokeOffer
    from console.services.connection import open_profile
    from console.ui.main_window import MainWindow

    caplog.set_level(logging.DEBUG)
    handler_path = logs.setup(tmp_path / "logs", level=logging.DEBUG)
    service = KeyService(tmp_path)
    first_key = sandbox.key
    service.connect(profile_name, first_key, sandbox.url)
    ws = Workspace.connect(service.gateway(profile_name), tmp_path)
    ws.sync()
    row = ws.queue()[0]
    ws.actions("Dana").apply(row.subscription_id, RevokeOffer(), Consent("call"))
    logging.getLogger("console.test").info("gateway in use: %r, workspace %r", ws.gateway, ws)
    ws.close()
    window = MainWindow(lambda: open_profile(tmp_path, profile_name), tmp_path)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.synced, timeout=30000):
        window.show()
    window.settings.setValue("actions/operator", "Dana")  # as Preferences would
    window.settings.sync()
    window.close()
    second_key = sandbox.make_key()
    service.rotate(profile_name, second_key)
    sandbox.revoke_key(first_key)
    with pytest.raises(AuthenticationFailed) as failed:
        KeyService(tmp_path).connect("other", first_key, sandbox.url)
    errors = [failed.value]
    logging.getLogger().handlers[-1].flush()
    secrets = (first_key, second_key, first_key[8:], second_key[8:])
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert handler_path in written and any(p.name == "settings.ini" for p in written)
    for path in written:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret[:8]}… found in {path.name}"
    log_text = caplog.text
    for secret in secrets:
        assert secret not in log_text
        for exc in errors:
            assert secret not in str(exc) and secret not in repr(exc)
        assert secret not in repr(service.keystore) and secret not in repr(service.gateway(profile_name))
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "baseFilename", "").startswith(str(tmp_path)):
            logging.getLogger().removeHandler(handler)
            handler.close()
