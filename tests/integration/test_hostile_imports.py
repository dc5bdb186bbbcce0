"""Portal imports tried as a clumsy user and an attacker would: each gets a clear message naming the file or
field, exit 1, no traceback, and nothing is sent to Stripe."""

from __future__ import annotations

import json

import pytest

from console.cli import main
from console.domain.portal import PortalConfig
from tests.support.reliability import record


def _export(**changes) -> str:
    body = json.loads(PortalConfig(name="Imported", cancel=True).to_json())
    body["configuration"].update(changes)
    return json.dumps(body)


CASES = {
    "missing file": (None, "There is no file"),
    "a folder": ("<dir>", "is a folder"),
    "not UTF-8": (b"\xff\xfe{\x00\x93", "not UTF-8"),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "a string where a list belongs": (
        _export(plan_products=[{"product": "prod_1", "prices": "price_abc"}]),
        "plan_products",
    ),
    "Stripe shape, prices as a string": (
        json.dumps({"features": {"subscription_update": {"products": [{"product": "prod_1", "prices": "price_abc"}]}}}),
        "prices must be list",
    ),
    "100,000 duplicate reasons": (_export(reasons_enabled=True, reasons=["other"] * 100_000), "reasons: At most 50"),
    "a URL with a tab": (_export(privacy_policy_url="https://acme.example/\tprivacy"), "privacy_policy_url"),
    "a URL with a control character": (_export(default_return_url="https://acme.example/\x1b[2J"), "default_return_url"),
    "too big": ("x" * 1_000_001, "a portal configuration is a few KB"),
    "not JSON": ("{name: 'x'", "not a portal configuration"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_import_is_refused_with_a_message_and_nothing_sent(sandbox, tmp_path, monkeypatch, capsys, case):
    content, words = CASES[case]
    path = tmp_path / "portal.json"
    if content == "<dir>":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, "utf-8")
    monkeypatch.setenv("STRIPE_API_KEY", sandbox.key)
    posts = [e for e in sandbox.log if e.method == "POST"]
    code = main(["--data-dir", str(tmp_path / "data"), "--api-base", sandbox.url, "portal", "apply", str(path), "--yes"])
    err = capsys.readouterr().err
    assert code == 1 and words in err, err
    assert "Traceback" not in err
    assert [e for e in sandbox.log if e.method == "POST"] == posts
    record(hostile_inputs=1)
