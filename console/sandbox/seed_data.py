"""The demo account's words and weights: names, survey answers and comments, coupons, operators."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

HISTORY_DAYS = 182  # the account's six months of churn history
FIRST = (
    "Olivia Liam Emma Noah Amelia Oliver Sophia Elijah Mia Lucas Ava Mateo Isabella Levi Harper Ethan Lea Jonas "
    "Clara Felix Ines Hugo Chloe Louis Yuki Haruto Sakura Ren Aiko Sota Priya Arjun Ana Diego Sofia Marco Giulia "
    "Lars Freya Nora Omar Layla Samir Zara Tomasz Zofia Mei Wei Chen Kwame Amara Tunde Nia Rafael Camila"
).split()
LAST = (
    "Smith Johnson Garcia Miller Davis Rodriguez Martinez Wilson Anderson Taylor Thomas Moore Martin Lee Clark "
    "Lewis Walker Hall Young King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter "
    "Muller Schmidt Schneider Fischer Weber Dubois Bernard Moreau Laurent Rossi Russo Bianchi Tanaka Suzuki Sato "
    "Watanabe Ito Kowalski Nowak Okafor Mensah Haddad Nakamura Silva Santos Costa Jensen Nielsen Lindqvist"
).split()
DOMAINS = "example.com example.org example.net mail.example.com acme.example studio.example".split()

CURRENCY_WEIGHTS = (("usd", 0.62), ("eur", 0.28), ("jpy", 0.10))
PRODUCT_WEIGHTS = (0.38, 0.32, 0.22, 0.08)
# How customers answer the portal's survey, most common first (share of pending cancellations).
FEEDBACK_WEIGHTS = (
    ("too_expensive", 0.27),
    ("unused", 0.18),
    ("missing_features", 0.13),
    ("switched_service", 0.11),
    ("too_complex", 0.06),
    ("low_quality", 0.05),
    ("customer_service", 0.04),
    ("other", 0.06),
    (None, 0.10),
)
COMMENTS = {
    "too_expensive": [
        "Budget cuts this quarter.",
        "We can't justify the price for a team of three.",
        "A competitor quoted half of this.",
        "Too pricey after the increase.",
    ],
    "unused": [
        "Project ended, may be back next year.",
        "Nobody on the team logs in any more.",
        "Seasonal business, not needed until spring.",
    ],
    "missing_features": ["We need SAML SSO.", "No Salesforce integration yet.", "Exports to BigQuery would keep us."],
    "switched_service": ["Moving to an all-in-one suite.", "Our parent company standardised on another tool."],
    "too_complex": ["Setup took too long for us.", "Hard to onboard new staff."],
    "low_quality": ["Dashboards were slow to load.", "Too many sync errors."],
    "customer_service": ["Waited a week for a reply."],
    "other": ["Company is closing.", "Merging accounts with a colleague."],
}
CUSTOM_REASONS = ("Moving to an in-house tool", "Our project ended early", "Budget approval fell through")
COUPONS = [
    {"id": "RETAIN25-3M", "name": "25% off for 3 months", "percent_off": 25.0, "duration": "repeating", "duration_in_months": 3},
    {"id": "HALF-1M", "name": "50% off next month", "percent_off": 50.0, "duration": "once"},
    {"id": "LOYAL10", "name": "Loyalty 10% forever", "percent_off": 10.0, "duration": "forever"},
    {"id": "USD20-ONCE", "name": "$20 off once", "amount_off": 2000, "currency": "usd", "duration": "once"},
    {
        "id": "EUR15-2M",
        "name": "€15 off for 2 months",
        "amount_off": 1500,
        "currency": "eur",
        "duration": "repeating",
        "duration_in_months": 2,
    },
    {"id": "JPY2000-ONCE", "name": "¥2,000 off once", "amount_off": 2000, "currency": "jpy", "duration": "once"},
    {"id": "FRIENDS100", "name": "Friends and family", "percent_off": 100.0, "duration": "forever"},
    {"id": "USD10-FOREVER", "name": "$10 off forever", "amount_off": 1000, "currency": "usd", "duration": "forever"},
]
OPERATORS = ("Dana (CS)", "Sam (CS)", "Priya (Founder)")
CHANNELS = ("call", "email", "chat", "ticket", "in_app")


def pick(rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    roll, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if roll < acc:
            return value
    return weighted[-1][0]


def feedback(rng: random.Random) -> tuple[str | None, str | None]:
    feedback = pick(rng, FEEDBACK_WEIGHTS)
    comment = rng.choice(COMMENTS[feedback]) if feedback and rng.random() < 0.45 else None
    return feedback, comment


def asked(answer: str | None, comment: str | None) -> dict[str, str | None]:
    """`cancellation_details` of a cancellation the customer asked for in the portal, with their survey answer."""
    return {"comment": comment, "feedback": answer, "feedback_option": None, "reason": "cancellation_requested"}
