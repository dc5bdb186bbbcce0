"""Every CLI command and flag run to completion against the sandbox: the output, and what Stripe then holds."""

from __future__ import annotations

import csv
import io
import json

import pytest

from console.cli import main
from console.sandbox.app import Sandbox
from tests.integration.conftest import cli_runner, client_for


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    with Sandbox(seed=17, customers=220) as sb:
        yield sb, tmp_path_factory.mktemp("cli-data")


@pytest.fixture
def run(account, monkeypatch, capsys, process_hooks):
    sb, data = account
    return cli_runner(sb, data, monkeypatch, capsys, "Casey (CS)")


def pending_ids(sb) -> list[str]:
    client = client_for(sb, sb.secret_key)
    subs = client.v1.subscriptions.list({"limit": 100}).auto_paging_iter()
    return [s.id for s in subs if (s.cancel_at_period_end or s.cancel_at) and not s.discounts and not s.pause_collection]


def test_sync_then_queue_in_every_format_and_order(account, run):
    sb, _ = account
    code, out, _ = run("sync")
    assert code == 0 and "Queue:" in out
    pending = set(pending_ids(sb))
    code, table, _ = run("queue")
    assert code == 0 and "MRR" in table.splitlines()[0]
    code, out, _ = run("queue", "--format", "json", "--sort", "days_left")
    rows = json.loads(out)
    assert {r["subscription"] for r in rows} >= pending
    assert [r["days_left"] for r in rows] == sorted(r["days_left"] for r in rows)
    # a metered price's MRR is what its last invoice charged: usage-based in JSON, `~` in the table, as in the window
    client = client_for(sb, sb.secret_key)
    metered = {
        r["subscription"]
        for r in rows
        if any(i.price.recurring.usage_type == "metered" for i in client.v1.subscriptions.retrieve(r["subscription"]).items.data)
    }
    assert metered and {r["subscription"] for r in rows if r["mrr_usage_based"] is True} == metered
    body = table.splitlines()[2:-2]  # under the header and its rule, above the totals
    assert len([line for line in body if " ~" in line]) == len(metered)
    assert all(any(f" ~{r['mrr']} " in line for line in body) for r in rows if r["subscription"] in metered)
    code, out, _ = run("queue", "--format", "csv", "--sort", "customer", "--reason", "too_expensive")
    records = list(csv.DictReader(io.StringIO(out)))
    assert records and all(r["feedback"] == "too_expensive" for r in records)
    code, out, _ = run("queue", "--format", "json", "--sort", "mrr")
    assert code == 0 and json.loads(out)


def test_save_pause_revoke_undo_retry_and_the_journal(account, run):
    sb, _ = account
    run("sync")
    client = client_for(sb, sb.secret_key)
    a, b, c, d = pending_ids(sb)[:4]
    code, out, _ = run("save", a, "--coupon", "RETAIN25-3M", "--consent", "call", "--note", "Agreed by phone")
    assert code == 0, out
    saved = client.v1.subscriptions.retrieve(a, {"expand": ["discounts"]})
    assert not saved.cancel_at_period_end and saved.cancel_at is None
    assert saved.discounts[-1].source.coupon == "RETAIN25-3M" and saved.metadata["churn_console_operator"] == "Casey (CS)"
    code, out, _ = run("save", b, "--percent", "20", "--months", "2", "--consent", "email")
    assert code == 0, out
    assert client.v1.subscriptions.retrieve(b, {"expand": ["discounts"]}).discounts[-1].source.coupon
    code, out, _ = run("pause", c, "--months", "2", "--behavior", "keep_as_draft", "--consent", "chat")
    assert code == 0, out
    assert client.v1.subscriptions.retrieve(c).pause_collection.behavior == "keep_as_draft"
    code, out, _ = run("revoke", d, "--consent", "ticket", "--operator", "Robin")
    assert code == 0, out
    revoked = client.v1.subscriptions.retrieve(d)
    assert (
        not revoked.cancel_at_period_end and revoked.cancel_at is None and revoked.metadata["churn_console_operator"] == "Robin"
    )
    code, out, _ = run("journal", "--format", "json", "--limit", "10")
    entries = json.loads(out)
    by_sub = {e["subscription_id"]: e for e in entries}
    assert {a, b, c, d} <= set(by_sub) and all(e["state"] == "applied" for e in entries)
    code, out, _ = run("undo", by_sub[c]["id"])
    assert code == 0, out
    undone = client.v1.subscriptions.retrieve(c)
    assert undone.pause_collection is None and (undone.cancel_at_period_end or undone.cancel_at)
    code, out, _ = run("retry", by_sub[a]["id"])  # already applied: nothing is sent again
    assert code == 0 and by_sub[a]["id"] in out and "Nothing to retry" in out and "nothing was sent" in out
    assert len(client.v1.subscriptions.retrieve(a, {"expand": ["discounts"]}).discounts) == len(saved.discounts)
    code, table, _ = run("journal")
    assert code == 0 and by_sub[a]["id"] in table


def test_pause_subscription_pauses_for_real_and_undo_resumes(account, run):
    sb, _ = account
    client = client_for(sb, sb.secret_key)

    def real_pause_allowed(s: str) -> bool:
        o = sb.state.get("subscription", s)
        flexible = o["billing_mode"]["type"] == "flexible" and not o["schedule"]
        return flexible and o["collection_method"] == "charge_automatically" and o["status"] == "active"

    pausable = [s for s in pending_ids(sb) if real_pause_allowed(s)]
    if len(pausable) < 2:  # the seed's mix moves with the day it runs (past-due cards, ends): ask for what the test needs
        others = [s.id for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter() if not s.discounts]
        for extra in [s for s in others if s not in pausable and real_pause_allowed(s)][: 2 - len(pausable)]:
            client.v1.subscriptions.update(extra, {"cancel_at_period_end": True})  # the customer asked to cancel
            pausable.append(extra)
    run("sync")
    code, out, _ = run("pause", pausable[0], "--subscription", "--consent", "call")
    assert code == 0 and "Done: Paused the subscription for" in out, out
    assert client.v1.subscriptions.retrieve(pausable[0]).status == "paused"
    code, out, _ = run("journal", "--format", "json", "--limit", "1")
    code, out, _ = run("undo", json.loads(out)[0]["id"])
    assert code == 0, out
    back = client.v1.subscriptions.retrieve(pausable[0])
    assert back.status == "active" and (back.cancel_at_period_end or back.cancel_at)
    code, _, err = run("pause", pausable[1], "--subscription", "--behavior", "void", "--consent", "call")
    assert code == 2 and "--behavior" in err
    classic = next(s for s in pending_ids(sb) if sb.state.get("subscription", s)["billing_mode"]["type"] == "classic")
    code, _, err = run("pause", classic, "--subscription", "--consent", "call")
    assert code == 1 and "flexible billing mode" in err
    assert client.v1.subscriptions.retrieve(classic).status == "active"


def test_refusals_exit_1_with_a_message(account, run, capsys):
    code, _, err = run("save", "sub_doesnotexist", "--coupon", "RETAIN25-3M", "--consent", "call")
    assert code == 1 and err.startswith("churn-console: ")
    assert "'sub_doesnotexist'. Check the id" in err  # Stripe's message has no full stop; ours adds one
    code, _, err = run("undo", "act_nope")
    assert code == 1 and "act_nope" in err
    code, _, err = run("queue", "--reason", "bogus")  # not silence: an unknown reason is said, with the known ones
    assert code == 2 and "unknown reason 'bogus'" in err and "too_expensive" in err
    # --months 0 is a repeating coupon of no months, not "once": it had been told "Months only apply to repeating coupons"
    code, _, err = run("save", "sub_doesnotexist", "--percent", "10", "--months", "0", "--consent", "call")
    assert code == 1 and "Repeating coupons need 1 to 36 months." in err
    with pytest.raises(SystemExit) as usage:
        run("journal", "--limit", "0")
    assert usage.value.code == 2 and "'0' is not a whole number of 1 or more" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("save", "sub_<b>x</b>\x1b[31m", "--consent", "call"), "'sub_<b>x</b>\\x1b[31m' is not a subscription id"),
        (("pause", "sub_a/b", "--months", "1", "--consent", "call"), "is not a subscription or an invoice id"),
        (("revoke", "cus_123", "--consent", "call"), "'cus_123' is not a subscription id"),
        (("take", "sub_ok1", "sub_"), "'sub_' is not a subscription id"),
        (("note", "sub_1 2", "hi"), "is not a subscription id"),
        (("paid-outside", "in_x?y=1", "--note", "cheque"), "is not an invoice or a subscription id"),
        (("card-link", "../in_1"), "is not a subscription or an invoice id"),
    ],
)
def test_an_id_that_cannot_be_stripes_is_a_usage_error_and_nothing_is_sent(account, run, capsys, args, said):
    """Sent, such an id had come back as Stripe's "Unrecognized request URL … we can help at support.stripe.com"."""
    sb, _ = account
    before = len(sb.log)
    with pytest.raises(SystemExit) as usage:
        run(*args)
    err = capsys.readouterr().err
    assert usage.value.code == 2 and said in err and "\x1b" not in err  # the escape is shown, never sent to the terminal
    assert len(sb.log) == before


def test_words_that_tell_what_to_do(tmp_path, monkeypatch, capsys):
    code = main(["--demo", "--data-dir", str(tmp_path / "empty"), "report"])
    err = capsys.readouterr().err
    assert code == 1 and "churn-console --demo sync" in err
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_" + "a" * 24)
    code = main(["--data-dir", str(tmp_path / "d"), "--api-base", "http://127.0.0.1:9", "sync"])
    assert code == 1 and "--allow-secret-key" in capsys.readouterr().err


def test_report_in_every_format_and_pngs(account, run, tmp_path):
    run("sync")
    code, out, _ = run("report")
    assert code == 0 and "save rate" in out.lower()
    code, out, _ = run("report", "--format", "json", "--currency", "usd", "--since", "2026-01-01")
    assert code == 0 and json.loads(out)
    code, out, _ = run("report", "--format", "csv", "--png", str(tmp_path))
    assert code == 0 and list(csv.reader(io.StringIO(out)))
    assert list(tmp_path.glob("*.png"))


def test_portal_list_show_export_link(account, run):
    sb, _ = account
    code, out, _ = run("portal", "list")
    assert code == 0
    config = next(c for c in sb.state.table("billing_portal.configuration").values() if c["is_default"])
    assert config["id"] in out
    code, out, _ = run("portal", "show", config["id"])
    assert code == 0 and config["business_profile"]["headline"] in out
    code, out, _ = run("portal", "export", config["id"])
    exported = json.loads(out)
    assert exported
    customer = next(iter(c for c in sb.state.table("customer").values() if not c.get("deleted")))
    code, out, _ = run("portal", "link", customer["id"])
    assert code == 0 and out.strip().startswith("http")
    code, out, _ = run("portal", "link", customer["email"])  # by e-mail too
    assert code == 0 and out.strip().startswith("http")
    code, _, err = run("portal", "link", "nobody@example.invalid")
    assert code == 1 and "not in this account" in err


def test_portal_apply_takes_stripes_own_configuration_json(account, run, tmp_path):
    """The body Stripe's API takes (as in Stripe's docs and the customer portal article), not only our export."""
    sb, _ = account
    client = client_for(sb, sb.secret_key)
    price = next(p for p in client.v1.prices.list({"limit": 100}).auto_paging_iter() if p.currency == "usd")
    body = {
        "business_profile": {"headline": "Acme partners with Stripe for simplified billing."},
        "features": {
            "invoice_history": {"enabled": True},
            "subscription_cancel": {
                "enabled": True,
                "mode": "at_period_end",
                "cancellation_reason": {"enabled": True, "options": ["too_expensive", "unused"]},
            },
            "subscription_update": {
                "enabled": True,
                "default_allowed_updates": ["price"],
                "products": [{"product": price.product, "prices": [price.id]}],
                "proration_behavior": "create_prorations",
            },
        },
    }
    path = tmp_path / "stripe.json"
    path.write_text(json.dumps(body))
    before = len(sb.state.table("billing_portal.configuration"))
    code, out, _ = run("portal", "apply", str(path))  # dry run: exactly what would be sent, nothing sent
    assert code == 0 and "Nothing sent" in out
    sent = json.loads(out.split("These parameters would be sent:\n", 1)[1].rsplit("Nothing sent", 1)[0])
    assert sent["business_profile"] == {"headline": "Acme partners with Stripe for simplified billing."}
    assert sent["features"]["subscription_cancel"]["cancellation_reason"]["options"] == ["too_expensive", "unused"]
    assert len(sb.state.table("billing_portal.configuration")) == before
    code, out, _ = run("portal", "apply", str(path), "--yes")
    assert code == 0 and out.startswith("Created bpc_") and "headline" in out and "Would" not in out, out
    new_id = out.split()[1].rstrip(".")
    made = client.v1.billing_portal.configurations.retrieve(new_id)
    assert made.business_profile.headline == body["business_profile"]["headline"]
    assert made.features.subscription_update.products[0].prices == [price.id]
    code, out, _ = run("portal", "export", new_id, "--format", "stripe")
    path.write_text(out)
    code, out, _ = run("portal", "apply", str(path), "--id", new_id)
    assert code == 0 and out.startswith("No changes"), out


def test_portal_apply_refuses_a_string_where_stripe_has_a_list(account, run, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps({"features": {"subscription_cancel": {"cancellation_reason": {"enabled": True, "options": "unused"}}}})
    )
    code, _, err = run("portal", "apply", str(path))
    assert code == 1 and "features.subscription_cancel.cancellation_reason.options must be list" in err


from tests.integration.test_keys import needs_secret_service  # noqa: E402


@needs_secret_service
def test_key_set_check_profiles_and_delete_through_the_cli(sandbox, tmp_path, monkeypatch, capsys, process_hooks):
    """The key is read from stdin (never argv), verified, stored in the keyring; profiles lists it; check
    probes it; delete forgets it. A key given as an argument is refused."""
    import uuid

    import keyring

    from console.secrets.keystore import SERVICE

    name = f"cli-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    base = ["--data-dir", str(tmp_path), "--api-base", sandbox.url]

    def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main([*base, *argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, err = cli("key", "set", "--profile", name, sandbox.key)
    assert code != 0 and sandbox.key not in out + err  # a key on the command line is refused, not echoed
    code, out, err = cli("key", "set", "--profile", name, stdin=sandbox.key + "\n")
    assert code == 0, err
    assert keyring.get_password(SERVICE, name) == sandbox.key and "Missing" not in out
    code, out, _ = cli("profiles")
    assert code == 0 and name in out and "TEST" in out
    code, out, _ = cli("key", "check", "--profile", name)
    assert code == 0 and "Subscriptions: Write" in out and "NO " not in out
    code, out, _ = cli("--profile", name, "sync")
    assert code == 0 and "Queue:" in out
    code, out, _ = cli("key", "delete", "--profile", name, "--purge-cache")
    assert code == 0 and "Deleted" in out and keyring.get_password(SERVICE, name) is None
    code, out, _ = cli("profiles")
    assert name not in out
    code, _, err = cli("key", "check")
    assert code == 1 and "no profile" in err and "STRIPE_API_KEY is not set" in err
    monkeypatch.setenv("STRIPE_API_KEY", sandbox.key)  # the key the other commands would use, checked the same way
    code, out, _ = cli("key", "check")
    assert code == 0 and "STRIPE_API_KEY (restricted, test)" in out and "Subscriptions: Write" in out


def test_key_set_without_a_keyring_says_how_to_use_the_key_for_one_session(sandbox, tmp_path, monkeypatch, capsys, process_hooks):
    import keyring
    import keyring.backends.fail

    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(sandbox.key + "\n"))
    try:
        code = main(["--data-dir", str(tmp_path), "--api-base", sandbox.url, "key", "set", "--profile", "Acme"])
    finally:
        keyring.set_keyring(previous)
    err = capsys.readouterr().err
    assert code == 1 and err.count("secure keyring") == 1, err
    assert "Use for this session only" in err and "STRIPE_API_KEY" in err and sandbox.key not in err


def test_the_sandbox_command_serves_events_in_an_older_api_version(tmp_path):
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "sandbox", "--customers", "20", "--event-api-version", "2025-02-24.acacia"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline().split()
        url, key = first[0].split("=", 1)[1], first[1].split("=", 1)[1]
        import stripe

        client = stripe.StripeClient(key, base_addresses={"api": url})
        events = client.v1.events.list({"limit": 5}).data
        assert events and all(e.api_version == "2025-02-24.acacia" for e in events)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
