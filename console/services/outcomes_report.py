"""The outcome report for a range and currency, as the Outcomes tab and `churn-console report` both read it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ..analytics.outcomes import Found, read_outcomes
from ..analytics.report import MIN_ROLLING, RETENTION_DAYS, ROLLING_WEEKS, Report, build
from ..analytics.saves import SaveFacts, read_facts
from ..analytics.survival import MIN_AT_RISK, READ_AT
from ..analytics.value_report import BY, OFFER_WORDS, ValueRow
from ..domain.experiments import started_at
from ..domain.playbook import Playbook
from ..store import Cache
from ..store.span import Span

# what the Outcomes tab and the report command read from here (ui and commands import services, not analytics)
__all__ = [
    "BY", "EVENT_WINDOW_S", "MIN_AT_RISK", "MIN_ROLLING", "OFFER_WORDS", "READ_AT", "RETENTION_DAYS", "ROLLING_WEEKS", "Found",
    "Report", "SaveFacts", "ValueRow", "build", "experiments_from", "known_since", "outcome_report", "read_both",
    "read_facts", "read_found",
]  # fmt: skip

EVENT_WINDOW_S = 30 * 86400  # Stripe keeps events for 30 days: customers' own revokes are known from then on


def known_since(cache: Cache) -> int | None:
    """From when the cache knows every outcome: 30 days before the first sync (the events it could still read)."""
    first = cache.get_meta("first_sync_at")
    return first - EVENT_WINDOW_S if first else None


def experiments_from(playbook: Playbook | None) -> int | None:
    """From when open intents must be read one by one: the first day of the playbook's earliest experiment (each
    of its customers is matched to its rules, the undecided too); None without one."""
    starts = [rules[0].started for rules in playbook.experiments().values()] if playbook is not None else []
    if not starts:
        return None
    return min(started_at(day) for day in starts)


def read_found(cache: Cache, playbook: Playbook | None, span: Span | None = None) -> Found:
    """The intents a report on `span` (or every range) reads: open ones counted, not made objects, unless an
    experiment or a save's afterlife needs them (analytics.outcomes.read_outcomes)."""
    return read_outcomes(cache, span, open_from=experiments_from(playbook))


def read_both(
    cache: Cache, playbook: Playbook | None, span: Span | None = None, *, ledger: bool = True
) -> tuple[Found, SaveFacts]:
    """read_found and read_facts at once: the facts on a second connection, on a thread of their own. Each is mostly
    SQLite's reading, which runs without holding the interpreter: at a million cached subscriptions with two years
    of history the report's reads took 1.6 s one after the other (tests/benchmarks/bench_cli.py, `report`). The
    two are two read transactions: a save committed between them is in one and not yet in the other, as it is
    between a sync's own steps. `ledger=False`: not the saves' invoices (read_facts)."""
    with cache.beside() as other, ThreadPoolExecutor(1, thread_name_prefix="save-facts") as pool:
        facts = pool.submit(read_facts, other, span, plans_from=experiments_from(playbook), ledger=ledger)
        found = read_found(cache, playbook, span)
        return found, facts.result()


def outcome_report(
    cache: Cache,
    since: int,
    until: int,
    currency: str | None = None,
    every: Found | None = None,
    *,
    playbook: Playbook | None = None,
    facts: SaveFacts | None = None,
    ledger: bool = True,
) -> Report:
    """Intents scheduled in [since, until), in `currency` or all; with the note on what the cache cannot know,
    what the saves earned (the save ledger) and the playbook's experiments. What is not given is read for the
    range's subscriptions only: with two years of history, reading every intent and invoice took 24 s at 1M
    cached (tests/benchmarks/bench_cli.py). `ledger=False`, for a report that shows no save's value: the saves'
    invoices are not read, and asking the report for a value is an error (analytics.report.LedgerNotRead); a
    playbook with experiments (whose comparison shows values) reads them all the same."""
    span = (since, until)
    ledger = ledger or bool(playbook is not None and playbook.experiments())
    if every is None and facts is None:
        every, facts = read_both(cache, playbook, span, ledger=ledger)
    found = read_found(cache, playbook, span) if every is None else every
    return build(
        found.every,
        since,
        until,
        currency=currency,
        data_since=known_since(cache),
        facts=read_facts(cache, span, plans_from=experiments_from(playbook), ledger=ledger) if facts is None else facts,
        playbook=playbook,
        tallied=found.tallied,
    )
