"""The cancellation survey: Stripe's `feedback` codes and their labels, and custom reasons (feedback options)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_OPTION_TEXT = 100  # Feedback Options API: `description`, "Maximum 100 characters."

# Label shown to customers in the portal, per `cancellation_details.feedback` code.
PORTAL_LABELS: dict[str, str] = {
    "too_expensive": "It's too expensive",
    "missing_features": "I need more features",
    "switched_service": "I found an alternative",
    "unused": "I no longer need it",
    "customer_service": "Customer service was less than expected",
    "too_complex": "Ease of use was less than expected",
    "low_quality": "Quality was less than expected",
    "other": "Other reason",
}
NO_ANSWER = "No answer"


def label(feedback: str | None) -> str:
    """The portal's label for a feedback code; unknown codes are shown as they are."""
    if not feedback:
        return NO_ANSWER
    return PORTAL_LABELS.get(feedback, feedback.replace("_", " ").capitalize())


@dataclass(frozen=True)
class FeedbackOption:
    """A custom cancellation reason (`billing.feedback_option`, API 2026-09-30): its id, its text, whether active."""

    id: str
    description: str
    active: bool = True


def option_text_problem(text: str) -> str | None:
    """Why a custom reason's text cannot be sent, or None."""
    if not text.strip():
        return "Write the reason as customers will read it."
    if len(text) > MAX_OPTION_TEXT:
        return f"At most {MAX_OPTION_TEXT} characters ({len(text)} now)."
    if any(ord(c) < 32 for c in text):
        return "One line of text, without control characters."
    return None
