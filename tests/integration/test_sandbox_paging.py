"""The sandbox's subscription pages cost what they return (sandbox/subscriptions.py `_page_forward`): walked with
`starting_after` they give exactly what filtering the whole list would, in Stripe's newest-first order."""

from __future__ import annotations

import pytest
import stripe

from console.sandbox.subscriptions import ENDED

from .conftest import client_for


def walk(client, params) -> list[str]:
    ids, after = [], None
    while True:
        page = client.v1.subscriptions.list({**params, **({"starting_after": after} if after else {})})
        ids += [s.id for s in page.data]
        if not page.has_more:
            return ids
        after = page.data[-1].id


@pytest.mark.parametrize(
    "params, keep",
    [
        ({"limit": 7}, lambda s: s["status"] not in ENDED),
        ({"limit": 100, "status": "all"}, lambda s: True),
        ({"limit": 13, "status": "canceled"}, lambda s: s["status"] == "canceled"),
        ({"limit": 5, "status": "all", "created": {"gte": 1}}, lambda s: s["created"] >= 1),
    ],
    ids=["default", "all", "canceled", "created"],
)
def test_pages_walked_with_a_cursor_are_the_filtered_list_in_order(shared_sandbox, params, keep):
    expected = [s["id"] for s in shared_sandbox.state.ordered("subscription") if keep(s)]
    assert walk(client_for(shared_sandbox), params) == expected and expected


def test_a_cursor_that_is_not_in_the_list_is_stripes_404(shared_sandbox):
    ended = next(s["id"] for s in shared_sandbox.state.ordered("subscription") if s["status"] in ENDED)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client_for(shared_sandbox).v1.subscriptions.list({"starting_after": ended})  # ended: not in the default list
    assert refused.value.code == "resource_missing" and refused.value.param == "starting_after"
