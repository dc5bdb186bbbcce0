"""domain/desk.py and domain/outreach.py: the desk's metadata read back as written (and never trusted when edited
by hand), claims that lapse, rows that are due, and e-mails filled in as plain text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain import desk
from console.domain.offers import ContactOffer, CouponOffer, CouponSpec, PauseOffer
from console.domain.outreach import DEFAULTS, Template, Templates, fill, offer_phrase
from console.errors import ConsoleError
from console.services.desk import load_templates, save_templates

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@given(st.text(min_size=1, max_size=600).filter(str.strip), st.text(min_size=1, max_size=600))
def test_what_a_desk_writes_it_reads_back_within_stripes_limits(owner, note):
    values = desk.for_take(owner, NOW) | desk.for_note(note, owner, NOW, follow_up=date(2026, 12, 3), state="waiting")
    assert all(len(k) <= 40 and len(v) <= 500 for k, v in values.items())  # Stripe's metadata limits
    read = desk.read(values)
    assert read.owner == owner[:500] and read.note == note.strip()[:500] and read.state == "waiting"
    assert read.last_kind == "note" and read.last_at == NOW and read.follow_up == date(2026, 12, 3)


def test_values_edited_by_hand_are_left_out_not_guessed():
    read = desk.read({desk.OWNER: "Robin", desk.SINCE: "yesterday", desk.STATE: "maybe", desk.FOLLOW_UP: "soon", desk.LAST: "x"})
    assert (read.owner, read.since, read.state, read.follow_up, read.last_at) == ("Robin", None, "new", None, None)
    assert read.owner_now(NOW) == "Robin"  # no time to lapse from: the claim stands


def test_a_claim_lapses_after_the_days_without_activity():
    taken = desk.read(desk.for_take("Robin", NOW - timedelta(days=8)))
    assert taken.owner_now(NOW) == "" and taken.owner_now(NOW, lapse_days=10) == "Robin"
    noted = desk.read(
        desk.for_take("Robin", NOW - timedelta(days=8)) | desk.for_note("still on it", "Robin", NOW - timedelta(days=1))
    )
    assert noted.owner_now(NOW) == "Robin"  # a note is activity
    assert desk.read(desk.for_release("Robin", NOW) | {desk.OWNER: ""}).owner_now(NOW) == ""


def test_due_when_the_follow_up_came_or_three_days_left_with_no_contact():
    soon, later = NOW + timedelta(days=3, hours=1), NOW + timedelta(days=10)
    assert desk.Desk().due(soon, NOW) and not desk.Desk().due(later, NOW)
    contacted = desk.read(desk.for_contact("call", "Robin", NOW))
    assert not contacted.due(soon, NOW)
    assert desk.read(desk.for_note("x", "R", NOW, follow_up=NOW.date())).due(later, NOW)
    assert not desk.read(desk.for_note("x", "R", NOW, follow_up=NOW.date() + timedelta(days=1))).due(later, NOW)


def test_the_timeline_says_each_change_in_words():
    assert desk.activity_words(desk.read(desk.for_take("Robin", NOW))) == "Robin took it"
    assert desk.activity_words(desk.read(desk.for_release("Sam", NOW))) == "Sam released it"
    assert desk.activity_words(desk.read(desk.for_contact("chat", "Ana", NOW))) == "Ana contacted the customer by chat"
    noted = desk.read(desk.for_note("Call back", "Bo|x", NOW, follow_up=date(2026, 12, 9)))
    assert desk.activity_words(noted) == "Bo/x noted: Call back (follow up 2026-12-09)"  # "|" separates the parts


def test_templates_are_picked_by_name_then_reason_then_offer():
    t = Templates()
    assert t.pick(None, "too_expensive", "coupon").name == "reason:too_expensive"
    assert t.pick(None, "other", "pause").name == "offer:pause"
    assert t.pick(None, None, "coupon").name == "default"
    assert t.pick("offer:pause", "too_expensive", "coupon").name == "offer:pause"
    with pytest.raises(KeyError):
        t.pick("nope", None, None)
    assert all(not d.problems() for d in DEFAULTS)


def test_the_teams_templates_replace_and_add_and_a_bad_file_is_said(tmp_path: Path):
    path = tmp_path / "outreach.json"
    path.write_text(
        '[{"name": "default", "subject": "Hello {first_name}", "body": "Bye {sender}"}, {"name": "vip", "subject": "s", "body": "b"}]'
    )
    t = load_templates(tmp_path)
    assert t.by_name["default"].subject == "Hello {first_name}" and "vip" in t.by_name and "offer:pause" in t.by_name
    path.write_text('[{"name": "x", "subject": "{first_name.__class__}", "body": "{price}"}]')
    with pytest.raises(ConsoleError, match="unknown placeholder"):
        load_templates(tmp_path)
    path.write_text('[{"name": "x", "subject": "50% off {", "body": "b"}]')
    with pytest.raises(ConsoleError, match="without its pair"):
        load_templates(tmp_path)
    path.write_text("{")
    with pytest.raises(ConsoleError, match="cannot be read"):
        load_templates(tmp_path)
    assert path.read_text() == "{"  # kept as it is
    path.unlink()
    assert load_templates(tmp_path).by_name.keys() == Templates().by_name.keys()  # none of the team's: the built-in ones
    mine = Templates([Template("vip", "For {first_name}", "{offer}")])
    save_templates(tmp_path, mine)
    assert load_templates(tmp_path).by_name["vip"] == mine.by_name["vip"] and not (tmp_path / "outreach.tmp").exists()


def test_a_letter_is_plain_text_and_its_mailto_is_encoded():
    sneaky = Template("t", "Hi {first_name}", "Dear {first_name},\n{offer}\n{link}\nEnd")
    letter = fill(
        sneaky,
        to="a+b@example.com",
        name="{link} <b>Zoë</b>",
        plan="Team",
        offer="25% off",
        ends_at=NOW + timedelta(days=5),
        now=NOW,
        link="https://x.example",
        sender="R",
    )
    assert letter.subject == "Hi {link}"  # the customer's own braces stay text: never filled in again
    assert letter.body.startswith("Dear {link},\n25% off\nhttps://x.example")
    assert letter.mailto().startswith("mailto:a%2Bb@example.com?subject=Hi%20%7Blink%7D&body=Dear%20")
    bare = fill(sneaky, to="a@example.com", name=None, plan="Team", offer="x", ends_at=NOW, now=NOW, link="", sender="R")
    assert bare.body == "Dear there,\nx\nEnd"  # no link: its line is left out


def test_offers_in_a_sentence():
    assert (
        offer_phrase(CouponOffer(new_coupon=CouponSpec(percent_off=25, duration="repeating", duration_in_months=3)), {})
        == "25% off your invoices for the next 3 months"
    )
    once = CouponSpec(amount_off=2000, currency="usd", duration="once")
    assert offer_phrase(CouponOffer(new_coupon=once), {}) == "$20.00 off your next invoice"
    forever = CouponSpec(percent_off=10, duration="forever")
    assert offer_phrase(CouponOffer(new_coupon=forever), {}, "year") == "10% off every year for as long as you stay with us"
    assert offer_phrase(CouponOffer(coupon_id="gone"), {}) == "a discount on your subscription"
    assert offer_phrase(PauseOffer(pause_months=2), {}) == "a 2-month break from payments"
    assert offer_phrase(PauseOffer(pause_mode="subscription"), {}).startswith("a pause of your subscription")
    assert offer_phrase(ContactOffer(), {}).startswith("a call")


def test_templates_are_offered_by_what_they_are_for():
    from console.domain.outreach import template_label

    assert template_label("reason:too_expensive") == "For \u201cIt's too expensive\u201d"
    assert template_label("offer:pause") == "For a pause" and template_label("default") == "Default"
    assert template_label("vip") == "vip"
