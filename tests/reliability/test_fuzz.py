"""Bad input, fuzzed with hypothesis: keys, coupons, pause dates, portal configurations, CLI arguments, API answers."""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console import cli
from console.domain.offers import CouponSpec, OfferInvalid, PauseOffer
from console.domain.portal import PortalConfig
from console.errors import ConsoleError
from console.sandbox.app import Sandbox
from console.sandbox.mangle import KINDS
from console.secrets.keys import inspect_key
from console.services.portal import PortalService
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.support.reliability import record

from .snapshots import cache_file, snapshot

CASES: Counter[str] = Counter()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.fixture(scope="module", autouse=True)
def count_cases():
    yield
    record(fuzz_cases=sum(CASES.values()))


def key_like():
    prefixes = st.sampled_from(["rk_test_", "rk_live_", "sk_test_", "sk_live_", "pk_test_", "whsec_", "rk_", "", " rk_test_"])
    return st.one_of(st.text(max_size=120), st.builds(lambda p, t: p + t, prefixes, st.text(max_size=110)))


@FUZZ
@given(raw=key_like())
def test_any_pasted_key_is_accepted_or_refused_with_what_to_do(raw):
    CASES["keys"] += 1
    try:
        cleaned, info = inspect_key(raw)
    except ConsoleError as exc:
        assert exc.message and exc.hint
        secret = raw.strip().strip("'\"").strip()
        if len(secret) >= 12 and secret[:3] in ("rk_", "sk_", "pk_"):  # shaped like a key (not any text)
            assert secret not in str(exc) and secret not in repr(exc), "a refused key is never echoed back"
    else:
        assert cleaned.startswith("rk_") and info.mode in ("test", "live")


finite = st.floats(allow_nan=True, allow_infinity=True)


@FUZZ
@given(
    percent=st.one_of(st.none(), finite, st.integers(-5, 500)),
    amount=st.one_of(st.none(), st.integers(-(10**6), 10**12)),
    currency=st.one_of(st.none(), st.text(max_size=5), st.sampled_from(["usd", "EUR", "jpy"])),
    duration=st.one_of(st.sampled_from(["once", "repeating", "forever"]), st.text(max_size=10)),
    months=st.one_of(st.none(), st.integers(-3, 60)),
    name=st.one_of(st.none(), st.text(max_size=60)),
)
def test_coupon_fields_are_valid_params_or_named_problems(percent, amount, currency, duration, months, name):
    CASES["coupons"] += 1
    spec = CouponSpec(percent, amount, currency, duration, months, name)
    problems = spec.problems()
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in problems.items())
    if problems:
        with pytest.raises(OfferInvalid):
            spec.params()
    else:
        params = spec.params()
        assert ("percent_off" in params) != ("amount_off" in params)


@FUZZ
@given(
    months=st.one_of(st.none(), st.integers(-100, 100)),
    resumes=st.one_of(
        st.none(), st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC))
    ),
    behavior=st.one_of(st.sampled_from(["void", "keep_as_draft", "mark_uncollectible"]), st.text(max_size=12)),
)
def test_pause_dates_are_refused_before_anything_is_sent(months, resumes, behavior):
    CASES["pause"] += 1
    offer = PauseOffer(pause_months=months, resumes_at=resumes, behavior=behavior)
    problems = offer.problems(NOW)
    if resumes is not None and resumes <= NOW:
        assert "pause" in problems
    if months is not None and not 1 <= months <= 12:
        assert "pause" in problems
    if not problems:
        assert (months is None) != (resumes is None) and behavior in ("void", "keep_as_draft", "mark_uncollectible")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
EXPORT = json.loads(PortalConfig(headline="Acme billing", privacy_policy_url="https://acme.example/privacy").to_json())


@st.composite
def portal_exports(draw):
    """A real export with fields replaced, removed or added, or any JSON at all."""
    if draw(st.booleans()):
        return json.dumps(draw(json_values))
    body = json.loads(json.dumps(EXPORT))
    for _ in range(draw(st.integers(1, 4))):
        field = draw(st.sampled_from([*body["configuration"], "unknown_field"]))
        if draw(st.integers(0, 4)) == 0:
            body["configuration"].pop(field, None)
        else:
            body["configuration"][field] = draw(json_values)
    if draw(st.integers(0, 6)) == 0:
        body["format"] = draw(json_values)
    return json.dumps(body)


@pytest.fixture(scope="module")
def portal_sandbox():
    with Sandbox(seed=3, customers=20) as sb:
        yield sb


@FUZZ
@given(text=portal_exports())
def test_portal_imports_are_planned_or_refused_with_a_message_and_nothing_is_sent(portal_sandbox, text):
    CASES["portal"] += 1
    service = PortalService(StripeGateway(portal_sandbox.key, portal_sandbox.url, max_retries=0))
    before = len([e for e in portal_sandbox.log if e.method == "POST"])
    try:
        wanted, plan = service.plan(text)
    except ConsoleError as exc:
        assert exc.message
    else:
        assert not wanted.problems() and plan.action in ("create", "update", "nothing")
    assert len([e for e in portal_sandbox.log if e.method == "POST"]) == before, "planning never writes"


WORDS = ["queue", "journal", "report", "sync", "save", "pause", "revoke", "undo", "retry", "portal", "profiles",
         "list", "show", "export", "apply", "link", "--format", "json", "csv", "table", "--sort", "--reason", "--coupon",
         "--percent", "--months", "--consent", "call", "--until", "--full", "--yes", "--limit", "-1", "0", "1e9",
         "sub_123", "act_x", "--png", "--since", "2026-13-45", "--note", "--version", "--help", "%s", "\u202e", "--"]  # fmt: skip


@FUZZ
@given(argv=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=15)), min_size=1, max_size=7))
def test_any_command_line_ends_with_an_exit_code_and_a_message(tmp_path_factory, monkeypatch, argv):
    CASES["cli"] += 1
    if argv[0] not in WORDS[:11]:
        argv = ["queue", *argv]  # never the window, the sandbox server, or a key prompt
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    data = tmp_path_factory.mktemp("cli")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(["--data-dir", str(data), *argv])
        except SystemExit as exc:  # argparse: usage errors (2), --help/--version (0)
            code = exc.code
    assert code in (0, 1, 2), (argv, code)
    if code:
        assert err.getvalue().strip(), "a failure always says why"
    assert "Traceback" not in err.getvalue()


ENDPOINTS = {
    "subscription": (
        "/v1/subscriptions/",
        [
            "id",
            "status",
            "customer",
            "items",
            "items.data.*.price",
            "metadata",
            "currency",
            "created",
            "cancel_at_period_end",
            "customer.email",
        ],
    ),  # fmt: skip
    "coupons": ("/v1/coupons", ["data.*.id", "data.*.percent_off", "data.*.duration", "data.*.valid", "data", "has_more"]),
    "portal_configurations": (
        "/v1/billing_portal/configurations",
        ["data.*.features", "data.*.business_profile", "data.*.is_default", "data"],
    ),  # fmt: skip
    "account": ("/v1/account", ["id", "settings", "livemode", "business_profile"]),
}


@pytest.fixture(scope="module")
def answer_sandbox():
    with Sandbox(seed=5, customers=40) as sb:
        yield sb


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_malformed_answers_give_a_clear_error_never_a_crash(answer_sandbox, data):
    CASES["answers"] += 1
    method = data.draw(st.sampled_from(sorted(ENDPOINTS)))
    prefix, fields = ENDPOINTS[method]
    kind = data.draw(st.sampled_from(KINDS))
    field = data.draw(st.sampled_from(fields)) if kind not in ("html", "truncated") else None
    gateway = StripeGateway(answer_sandbox.key, answer_sandbox.url, max_retries=0)
    sub_id = answer_sandbox.state.ordered("subscription")[0]["id"] if method == "subscription" else None
    answer_sandbox.mangle_next(kind, prefix, field)
    try:
        result = getattr(gateway, method)(sub_id) if sub_id else getattr(gateway, method)()
    except ConsoleError as exc:
        assert exc.message and exc.hint
        assert "Traceback" not in str(exc)
    else:
        assert result is not None  # a tolerable change (an unknown enum value, a missing optional field)


@pytest.mark.parametrize("kind", KINDS)
def test_a_malformed_page_mid_sync_half_applies_nothing(tmp_path, kind):
    with Sandbox(seed=8, customers=260) as sb:
        reference = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path / "reference")
        reference.sync(full=True)
        reference.close()
        ws = Workspace.connect(StripeGateway(sb.key, sb.url, max_retries=0), tmp_path / "spoiled")
        field = None if kind in ("html", "truncated") else "data.*.items"
        sb.mangle_next(kind, "/v1/subscriptions", field)
        try:
            ws.sync(full=True)
        except ConsoleError as exc:
            assert exc.message and exc.hint
        ws.sync(full=True)  # the next sync finishes the job
        ws.close()
        CASES["answers"] += 1
    a, b = snapshot(cache_file(tmp_path / "reference")), snapshot(cache_file(tmp_path / "spoiled"))
    for table in a:
        assert a[table] == b[table], f"{table} kept something from the spoiled page"
    record(syncs_compared=1)
