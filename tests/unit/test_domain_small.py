"""domain/action.py, domain/permissions.py and domain/text.py: the journal's record, the permission registry, and
anyone's text on its way to a terminal or a spreadsheet."""

from __future__ import annotations

from console.domain import permissions
from console.domain.action import KIND_OF_OFFER, KINDS, STATES, UNDOABLE, Action, Consent
from console.domain.choices import STATE_WORDS
from console.domain.offers import KINDS as OFFER_KINDS
from console.domain.text import csv_cell, csv_row, no_reordering, terminal


def action(**kw) -> Action:
    base = dict(
        id="act_1", created_at=1_700_000_000, operator="Dana", subscription_id="sub_1", customer_id="cus_1", kind="save",
        offer_code="coupon:RETAIN25-3M", consent_channel="call", consent_note=None, idempotency_key="act_1:update",
        livemode=False,
    )  # fmt: skip
    return Action(**{**base, **kw})


def test_an_action_row_round_trips_and_keeps_its_requests_in_the_order_they_were_sent():
    sent = {"cancel_at_period_end": False, "discounts": [{"coupon": "X"}], "metadata": {"b": "1", "a": "2"}}
    original = action(params=sent, before={"z": 1, "a": None}, livemode=True, retryable=True, state="failed")
    row = original.row()
    assert row["params"] == '{"cancel_at_period_end": false, "discounts": [{"coupon": "X"}], "metadata": {"b": "1", "a": "2"}}'
    assert row["livemode"] == 1 and row["retryable"] == 1
    back = Action.from_row(row)
    assert back == original and list(back.params["metadata"]) == ["b", "a"]  # a retry sends the same bytes


def test_every_offer_kind_is_journaled_as_an_action_kind_and_only_stripe_changes_are_undoable():
    assert set(KIND_OF_OFFER) == set(OFFER_KINDS) and set(KIND_OF_OFFER.values()) <= set(KINDS)
    assert set(UNDOABLE) == {"save", "pause", "revoke"} and "contact" not in UNDOABLE
    assert {"pending", "applied", "failed", "refused", "undone", "overridden", "declined"} == set(STATES)
    assert STATE_WORDS.keys() == set(STATES)  # every state has its words (a charge the bank declined too)
    assert Consent("email").note is None


def test_the_permission_registry_names_each_code_once_and_says_what_a_key_lacks():
    codes = [p.code for p in permissions.REGISTRY]
    assert len(codes) == len(set(codes)) and all(c.startswith("rak_") for c in codes)
    assert {p.code for p in permissions.NEEDED} >= {"rak_subscription_write", "rak_customer_read", "rak_event_read"}
    assert permissions.label("rak_coupon_write") == "Coupons: Write"
    assert permissions.label("rak_unknown_read") == "rak_unknown_read"  # Stripe's newer code, said as it is
    assert permissions.lacks("rak_invoice_read") == "This key lacks Invoices: Read — add it to the key in the Dashboard"


def test_control_characters_and_bidi_overrides_never_reach_a_terminal():
    assert terminal("Wei\x1b[2J Sato") == "Wei\\x1b[2J Sato"
    assert terminal("abc\u202edcba") == "abc\\u202edcba"  # "Trojan Source" reordering
    assert terminal("two\nlines\tand a tab") == "two\nlines\tand a tab"
    assert terminal("Zoë 東京") == "Zoë 東京"


def test_json_for_a_terminal_escapes_what_a_terminal_acts_on_and_its_quick_pass_misses_none():
    """terminal_json() passes text that is all printable without the search: so every character the search finds
    must be unprintable (all of Unicode checked), and unprintable but harmless text (a no-break space) is kept."""
    import json
    import sys

    from console.domain.text import _UNSAFE, terminal_json

    unsafe = [c for c in map(chr, range(sys.maxunicode + 1)) if _UNSAFE.match(c)]
    assert len(unsafe) == 30 + 1 + 32 + 5 + 4 and not any(c.isprintable() for c in unsafe)
    lines = [json.dumps({"name": "Zoë\u00a0Sato"}, ensure_ascii=False), json.dumps({"name": "Wei\x85\u202e"}, ensure_ascii=False)]
    out = terminal_json(lines)
    assert out.split(",\n")[0] == lines[0] and "\\u0085" in out and "\\u202e" in out and "\x85" not in out
    assert [json.loads(line) for line in out.split(",\n")] == [json.loads(line) for line in lines]  # still JSON
    assert terminal_json([lines[0], lines[0]]) == f"{lines[0]},\n{lines[0]}"


def test_csv_cells_that_would_run_as_formulas_get_an_apostrophe_numbers_stay_numbers():
    assert csv_row(["=HYPERLINK(1)", "+1", "-x", "@SUM", "\tx", "\rx", "plain", -500, 3.5, None]) == [
        "'=HYPERLINK(1)", "'+1", "'-x", "'@SUM", "'\tx", "'\rx", "plain", -500, 3.5, None,
    ]  # fmt: skip
    assert csv_cell("") == ""


def test_no_reordering_shows_each_bidirectional_control_and_leaves_right_to_left_names_alone():
    controls = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
    for ch in controls:
        shown = no_reordering(f"a{ch}b")
        assert shown == f"a\\u{ord(ch):04x}b" and shown == terminal(f"a{ch}b")  # as the terminal shows it
    for text in ("שלום עולם", "مرحبا", "Zoë O'Brien\nline two", "tab\there", ""):
        assert no_reordering(text) == text  # right-to-left scripts order themselves; newlines are the label's
