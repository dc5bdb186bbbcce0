"""The churn_console_* metadata: written by a save or an undo, read back by every console (domain/stamp.py)."""

from datetime import UTC, datetime

from console.domain import stamp

NOW = datetime(2026, 11, 23, 14, 2, 7, tzinfo=UTC)


def test_a_save_writes_every_key_and_reads_back_whole():
    meta = stamp.for_save("act_1", "coupon:RETAIN25-3M", "Robin", "call", "too_expensive", NOW)
    assert set(meta) == {stamp.PREFIX + k for k in stamp.SAVE_KEYS} and all(len(k) <= 40 for k in meta)
    found = stamp.read(meta)
    assert found == stamp.Stamp("act_1", "coupon:RETAIN25-3M", "Robin", NOW.replace(microsecond=0), "call", "too_expensive")
    assert found.saved_by() == "saved by Robin at 2026-11-23 14:02 UTC (coupon:RETAIN25-3M)"
    assert stamp.names(meta, "act_1") and not stamp.names(meta, "act_2") and stamp.has_save(meta)


def test_an_operator_name_is_cut_to_stripes_500_characters():
    assert len(stamp.for_save("act_1", "revoke", "x" * 900, None, None, NOW)[stamp.PREFIX + "operator"]) == 500


def test_a_time_edited_by_hand_is_unknown_not_a_crash():
    meta = stamp.for_save("act_1", "revoke", "", None, None, NOW) | {stamp.PREFIX + "at": "yesterday"}
    found = stamp.read(meta)
    assert found is not None and found.at is None
    assert found.saved_by() == "saved by another operator at an unknown time (revoke)"


def test_no_save_reads_as_none():
    assert stamp.read({}) is None and stamp.read({stamp.PREFIX + "action": ""}) is None and not stamp.has_save({"a": "b"})


def test_an_undo_clears_the_save_and_says_which_undo_and_when():
    meta = stamp.for_undo("act_9", NOW)
    assert all(meta[stamp.PREFIX + k] == "" for k in stamp.SAVE_KEYS)  # "" deletes a metadata key on Stripe
    assert stamp.read(meta) is None
    assert stamp.undone_by(meta) == ("act_9", NOW.replace(microsecond=0))
    assert stamp.undone_by({stamp.UNDONE: "act_9 at soon"}) == ("act_9", None) and stamp.undone_by({}) is None
