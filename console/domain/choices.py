"""The fixed choices an operator picks from (consent channels, pause behaviours) and the words for action states:
plain constants, importable by the CLI's parsers without loading anything else."""

from __future__ import annotations

PAUSE_BEHAVIORS = ("void", "keep_as_draft", "mark_uncollectible")  # Stripe's pause_collection.behavior
PAUSE_MODES = ("collection", "subscription")
CONSENT_CHANNELS = ("call", "email", "chat", "ticket", "in_app")
CHANNEL_LABELS = {"call": "Phone call", "email": "E-mail", "chat": "Chat", "ticket": "Support ticket", "in_app": "In the app"}
STATE_WORDS = {
    "pending": "Being sent",
    "applied": "Done",
    "failed": "Failed",
    "refused": "Not sent",
    "undone": "Undone",
    "overridden": "Replaced by another save",
    "declined": "Declined by the bank",
}
QUEUE_SORTS = ("mrr", "days_left", "customer")  # `churn-console queue --sort`
