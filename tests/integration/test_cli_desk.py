"""The save desk's commands and flags run to completion against the sandbox: the output, the exit code, and what
Stripe then holds in the subscription's metadata; every refusal changes nothing there."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from console.sandbox.app import Sandbox
from tests.integration.conftest import cli_runner, client_for

HOSTILE = "Ann\x1b[31m <b>Boss</b>\u202e"


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    with Sandbox(seed=19, customers=200) as sb:
        yield sb, tmp_path_factory.mktemp("desk-data")


@pytest.fixture
def run(account, monkeypatch, capsys, process_hooks):
    sb, data = account
    return cli_runner(sb, data, monkeypatch, capsys, "Casey")


def _queue(run, *flags: str) -> list[dict]:
    code, out, err = run("queue", "--format", "json", *flags)
    assert code == 0, err
    return json.loads(out)


def _metadata(sb, sub_id: str) -> dict:
    return dict(client_for(sb, sb.secret_key).v1.subscriptions.retrieve(sub_id).metadata.to_dict())


@pytest.fixture
def rows(run):
    assert run("sync")[0] == 0
    return [r for r in _queue(run) if r["email"]]


def test_take_release_and_the_queue_views(run, rows):
    sb = run.sb
    a, b, c = (r["subscription"] for r in rows[:3])
    code, out, _ = run("take", a, b)  # a bulk take
    assert code == 0 and out.count("Casey took") == 2
    assert _metadata(sb, a)["churn_console_desk_owner"] == "Casey"
    code, out, _ = run("take", c, "--as", HOSTILE)
    assert code == 0 and "\x1b" not in out and "\\x1b" in out  # a name is people's text: escaped in a terminal
    assert {r["subscription"] for r in _queue(run, "--mine")} == {a, b}
    assert {r["subscription"] for r in _queue(run, "--mine", "--operator", HOSTILE)} == {c}
    assert {r["subscription"] for r in _queue(run, "--owner", "Casey")} == {a, b}
    assert not {a, b, c} & {r["subscription"] for r in _queue(run, "--unowned")}
    code, out, _ = run("take", a)
    assert code == 0 and "already Casey's" in out
    code, out, _ = run("release", b)
    assert code == 0 and "Casey released" in out and "churn_console_desk_owner" not in _metadata(sb, b)  # "" deletes it
    code, out, _ = run("release", b)
    assert code == 0 and "has no owner" in out
    code, table, _ = run("queue", "--mine")
    assert code == 0 and "Owner" in table.splitlines()[0] and "Casey" in table
    code, out, _ = run("journal", "--format", "json")
    desk_entries = [e for e in json.loads(out) if e["kind"] == "desk" and e["subscription_id"] in (a, b)]
    assert {e["offer_code"] for e in desk_entries} >= {"desk:take", "desk:release"}  # the history, in the journal too
    code, table, _ = run("journal")
    assert "Took the row" in table and "Released the row" in table


def test_a_note_a_follow_up_a_state_and_the_due_view(run, rows):
    sb = run.sb
    sub_id = rows[3]["subscription"]
    today = datetime.now(UTC).date().isoformat()
    code, out, err = run("note", sub_id, "Wants to ask finance", "--follow-up", today, "--state", "waiting")
    assert code == 0, err
    meta = _metadata(sb, sub_id)
    assert (meta["churn_console_desk_note"], meta["churn_console_desk_follow_up"], meta["churn_console_desk_state"]) == (
        "Wants to ask finance",
        today,
        "waiting",
    )
    assert sub_id in {r["subscription"] for r in _queue(run, "--due")}  # its follow-up is today
    code, out, _ = run("queue", "--mine", "--due")
    assert code == 0


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("note", "{sub}", "x" * 501), "at most 500"),
        (("note", "{sub}", "  "), "The note is empty"),
        (("note", "{sub}", "late", "--follow-up", "2020-01-01"), "has passed"),
        (("contacted", "sub_doesnotexist", "--channel", "call"), "sub_doesnotexist"),
    ],
)
def test_refusals_say_what_to_do_and_change_nothing(run, rows, argv, words):
    sb = run.sb
    sub_id = rows[4]["subscription"]
    before = _metadata(sb, sub_id)
    code, _, err = run(*(a.replace("{sub}", sub_id) for a in argv))
    assert code == 1 and words in err
    assert _metadata(sb, sub_id) == before


def test_a_bad_date_or_channel_is_a_usage_error(run, rows):
    sub_id = rows[4]["subscription"]
    with pytest.raises(SystemExit) as bad_date:
        run("note", sub_id, "x", "--follow-up", "next tuesday")
    with pytest.raises(SystemExit) as bad_channel:
        run("contacted", sub_id, "--channel", "pigeon")
    assert bad_date.value.code == bad_channel.value.code == 2


def test_contacted_moves_the_state_without_a_consent(run, rows):
    sb = run.sb
    sub_id = rows[5]["subscription"]
    later = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    code, out, _ = run("contacted", sub_id, "--channel", "call", "--follow-up", later)
    assert code == 0 and "contacted by call" in out
    meta = _metadata(sb, sub_id)
    assert meta["churn_console_desk_state"] == "contacted" and meta["churn_console_desk_contact"].startswith("call ")
    assert "churn_console_consent" not in meta and meta.get("churn_console_action") is None  # nothing agreed, nothing saved


def test_outreach_prints_copies_links_and_records(run, rows):
    sb = run.sb
    price = next(r for r in rows if r["feedback"] == "too_expensive")
    sub_id = price["subscription"]
    code, out, _ = run("outreach", sub_id)
    assert code == 0 and out.startswith(f"To: {price['email']}\nSubject: ") and "a better price" in out
    assert "Thanks,\nCasey" in out and "billing.stripe.com/p/session" not in out  # never a one-time session URL
    code, body, _ = run("outreach", sub_id, "--copy")
    assert code == 0 and not body.startswith("To:") and body.startswith("Hi ")
    code, link, _ = run("outreach", sub_id, "--mailto", "--template", "offer:pause")
    query = parse_qs(urlsplit(link.strip()).query)
    assert link.startswith(f"mailto:{price['email']}?") and query["subject"] == ["A break instead of goodbye"]
    assert "\r\n" in query["body"][0]  # RFC 6068 line breaks
    code, _, err = run("outreach", sub_id, "--template", "nope")
    assert code == 1 and "There is no template 'nope'" in err and "reason:too_expensive" in err
    code, out, err = run("outreach", sub_id, "--sent")
    assert code == 0 and "Note on" in err
    meta = _metadata(sb, sub_id)
    assert meta["churn_console_desk_state"] == "contacted" and meta["churn_console_desk_contact"].startswith("email ")
    assert meta["churn_console_desk_note"].startswith("E-mailed (For \u201cIt's too expensive\u201d)")


def test_the_email_names_the_product_and_says_the_offer_in_full_words(run, rows):
    """Issue 31.14: a customer knows their plan by the product's name ("Scale"), not by the price's internal nickname
    ("Scale annual (USD)"), and reads "15% off your next invoice", not "15% off once"."""
    sb = run.sb
    client = client_for(sb, sb.secret_key)
    row = next(r for r in rows if r["feedback"] == "too_expensive")
    sub = client.v1.subscriptions.retrieve(row["subscription"])
    price = sub["items"].data[0].price
    product = client.v1.products.retrieve(price.product)
    code, out, _ = run("outreach", row["subscription"])
    assert code == 0
    assert f"Your {product.name} plan" in out.splitlines()[1]
    assert not price.nickname or price.nickname == product.name or price.nickname not in out
    offer = out.split("we can offer you ", 1)[1].split(". ", 1)[0]
    assert offer.endswith(("your next invoice", "months", "next month", "stay with us", "from payments")), offer
    assert not offer.endswith((" once", " forever")), offer


def test_the_link_is_the_portals_login_page_when_on_else_the_products_url(run, rows, account):
    """Stripe's `login_page.url` is a shareable link that does not expire (API reference: billing portal
    configuration); without it, desk.json's product_url; without either, no link line at all."""
    sb, data = account
    sub_id = rows[6]["subscription"]
    code, out, _ = run("outreach", sub_id)
    assert code == 0 and "manage your subscription here" not in out  # no lasting link: the line is left out
    (data / "desk.json").write_text(json.dumps({"product_url": "https://app.example.com/billing"}))
    code, out, _ = run("outreach", sub_id)
    assert "manage your subscription here: https://app.example.com/billing" in out
    client = client_for(sb, sb.secret_key)
    default = next(c for c in client.v1.billing_portal.configurations.list({"limit": 100}).data if c.is_default)
    client.v1.billing_portal.configurations.update(default.id, {"login_page": {"enabled": True}})
    code, out, _ = run("outreach", sub_id)
    login = client.v1.billing_portal.configurations.retrieve(default.id).login_page.url
    assert login and f"manage your subscription here: {login}" in out
    for bad, word in (
        ({"lapse_days": "x"}, "lapse_days"),
        ({"alert_min_mrr": -1}, "alert_min_mrr"),
        ({"product_url": 5}, "product_url"),
    ):
        (data / "desk.json").write_text(json.dumps(bad))
        code, _, err = run("take", sub_id)
        assert code == 1 and word in err and "kept as it is" in err
    (data / "desk.json").write_text("{not json")
    code, _, err = run("take", sub_id)
    assert code == 1 and "desk.json cannot be read" in err  # and the file is kept as it is
    assert (data / "desk.json").read_text() == "{not json"
    (data / "desk.json").unlink()


def test_saving_someone_elses_row_is_allowed_and_the_journal_says_whose_it_was(run, rows):
    sb = run.sb
    sub_id = rows[7]["subscription"]
    assert run("take", sub_id, "--as", "Sam")[0] == 0
    code, out, err = run("revoke", sub_id, "--consent", "email")
    assert code == 0, err
    meta = _metadata(sb, sub_id)
    assert meta["churn_console_desk_state"] == "saved" and meta["churn_console_desk_owner"] == "Sam"  # the owner stays
    code, out, _ = run("journal", "--format", "json")
    mine = next(a for a in json.loads(out) if a["subscription_id"] == sub_id)
    assert mine["operator"] == "Casey" and mine["row_owner"] == "Sam"
    code, table, _ = run("journal")
    assert "Casey (Sam's row)" in table
