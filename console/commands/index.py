"""Every command's name and one line of help, in `--help`'s order: the one place each command's help is written.
`churn-console --help` prints it without importing the commands' modules; each module's parser takes its help from
here (tests/unit/test_cli_help.py holds the names and their order to the parsers the modules build)."""

from __future__ import annotations

COMMANDS = (
    ("sandbox", "serve the Stripe-compatible sandbox until interrupted"),
    ("sync", "bring the local cache up to date with Stripe and print what changed"),
    ("queue", "print the cached queue of pending cancellations (works offline)"),
    ("failed", "print the cached queue of failed payments: subscriptions whose renewal did not charge (works offline)"),
    ("paid-outside", "mark a failed payment's invoice paid another way (a transfer, a cheque): nothing is charged"),
    ("card-link", "a card-update link for a failed payment's customer (a portal page that still works days later)"),
    ("save", "revoke a pending cancellation with an offer (one request)"),
    ("pause", "pause collection (or the subscription) and revoke the cancellation; or pause a failed payment's subscription"),
    ("revoke", "revoke the cancellation with no offer (the customer changed their mind)"),
    ("undo", "undo an action: restore the cancellation, remove its discount or pause"),
    ("retry", "send a failed action again (same idempotency key: never applies twice), or charge a failed payment now"),
    ("journal", "list what operators did in this account (works offline)"),
    ("take", "claim pending cancellations for yourself (or --as someone): every console sees the owner"),
    ("release", "give rows back to the team (no owner)"),
    ("note", "write the latest note on a row (and its next follow-up date or state)"),
    ("contacted", "record a contact attempt (the state moves to contacted; no consent is recorded)"),
    ("outreach", "print the e-mail to the customer from the team's templates (outreach.json)"),
    ("key", "store, check or delete a profile's restricted key"),
    ("profiles", "list the profiles (accounts and modes) this console knows"),
    ("portal", "customer portal configurations: list, show, export, apply, link"),
    ("report", "save outcomes: intents, save rate, MRR kept, by reason and by offer (reads the cache, works offline)"),
)
HELP = dict(COMMANDS)
