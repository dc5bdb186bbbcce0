"""List endpoints: newest-first cursor pagination, `created` ranges and `expand[]`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .errors import ApiError
from .state import State, public
from .table import Table

# Which object kind an expandable field points at.
EXPANDABLE = {
    "customer": "customer",
    "discounts": "discount",
    "latest_invoice": "invoice",
    "product": "product",
    "default_price": "price",
    "subscription": "subscription",
    "feedback_option": "billing.feedback_option",
    "payment_intent": "payment_intent",  # an InvoicePayment's payment (data.payment.payment_intent)
    "payment_method": "payment_method",
    "default_payment_method": "payment_method",
    "invoice": "invoice",
}
# What an expanded payment object asks of a restricted key beyond its endpoint's permission (the stricter reading:
# an object is read with its own resource's permission however it is reached; the console then goes without it).
EXPANSION_PERMISSIONS = {
    "payment_intent": "rak_payment_intent_read",
    "payment_method": "rak_payment_method_read",
    "default_payment_method": "rak_payment_method_read",
}


def expansion_permissions(paths: list[str]) -> set[str]:
    return {EXPANSION_PERMISSIONS[p.rsplit(".", 1)[-1]] for p in paths if p.rsplit(".", 1)[-1] in EXPANSION_PERMISSIONS}


def in_range(value: int, spec: Any) -> bool:
    """Stripe's range filter: an exact int or a dict of gt/gte/lt/lte."""
    if spec is None:
        return True
    if isinstance(spec, int):
        return value == spec
    ops = {"gt": value.__gt__, "gte": value.__ge__, "lt": value.__lt__, "lte": value.__le__}
    return all(ops[k](v) for k, v in spec.items())


def newest_first(objs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(objs, key=lambda o: (o.get("created", 0), o.get("_seq", 0)), reverse=True)


def page(
    state: State,
    objs: list[dict[str, Any]],
    params: dict[str, Any],
    url: str,
    render: Callable[[dict[str, Any]], dict[str, Any]] = public,
) -> dict[str, Any]:
    """One page of a newest-first list, as Stripe returns it."""
    limit = params.get("limit", 10)
    if not 1 <= limit <= 100:
        raise ApiError(400, "invalid_request_error", "Invalid limit: must be between 1 and 100", param="limit")
    one_cursor(params)
    after, before = params.get("starting_after"), params.get("ending_before")
    ids = [o["id"] for o in objs]
    if after is not None:
        if after not in ids:
            raise _missing_cursor(after, "starting_after", url)
        start = ids.index(after) + 1
        chunk = objs[start : start + limit]
        has_more = start + limit < len(objs)
    elif before is not None:
        if before not in ids:
            raise _missing_cursor(before, "ending_before", url)
        end = ids.index(before)
        chunk = objs[max(0, end - limit) : end]
        has_more = end - limit > 0
    else:
        chunk = objs[:limit]
        has_more = len(objs) > limit
    return page_of(state, chunk, has_more, params, url, render)


def page_of(
    state: State,
    chunk: list[dict[str, Any]],
    has_more: bool,
    params: dict[str, Any],
    url: str,
    render: Callable[[dict[str, Any]], dict[str, Any]] = public,
) -> dict[str, Any]:
    """A page already chosen, rendered and expanded as Stripe returns it."""
    container = {"data": [render(o) for o in chunk]}
    expand(state, container, [e for e in params.get("expand", []) if e.startswith("data.")])
    return {"object": "list", "data": container["data"], "has_more": has_more, "url": url}


def _missing_cursor(obj_id: str, param: str, url: str) -> ApiError:
    """Stripe names the list's kind and the cursor: "No such subscription: 'sub_…'" on `starting_after` (its
    resource_missing wording, as for a retrieve; the kind is the list URL's last part, singular)."""
    kind = url.rstrip("/").rsplit("/", 1)[-1].removesuffix("s") or "object"
    return ApiError(404, "invalid_request_error", f"No such {kind}: '{obj_id}'", param=param, code="resource_missing")


def one_cursor(params: dict[str, Any]) -> None:
    """`starting_after` and `ending_before` are mutually exclusive (docs.stripe.com/api/pagination); Stripe answers
    both with this 400 (quoted in stripe/stripe-python issue 585 and arlyon/async-stripe issue 753)."""
    if params.get("starting_after") is not None and params.get("ending_before") is not None:
        raise ApiError(
            400,
            "invalid_request_error",
            "Received both starting_after and ending_before parameters. Please pass in only one.",
            param="starting_after",
        )


def expand(state: State, obj: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """Replace ids with objects along each dotted path (in place); 400 for paths that cannot expand."""
    for path in paths:
        if path.count(".") > 3:
            raise ApiError(
                400, "invalid_request_error", f"You cannot expand more than 4 levels of a property: {path}", param="expand"
            )
        _expand_path(state, obj, path.split("."), path)
    return obj


def _expand_path(state: State, node: Any, parts: list[str], whole: str) -> None:
    if isinstance(node, list):
        for item in node:
            _expand_path(state, item, parts, whole)
        return
    if not isinstance(node, dict):
        return
    head, rest = parts[0], parts[1:]
    if rest and isinstance(node.get(head), dict):
        node[head] = dict(node[head])  # copy on write: the stored object is shared with the response
    elif rest and isinstance(node.get(head), list):
        node[head] = [dict(x) if isinstance(x, dict) else x for x in node[head]]
    if head not in node:
        raise ApiError(400, "invalid_request_error", f"This property cannot be expanded ({whole}).", param="expand")
    if not rest:
        kind = EXPANDABLE.get(head)
        if kind is None:
            raise ApiError(400, "invalid_request_error", f"This property cannot be expanded ({whole}).", param="expand")
        node[head] = _resolve(state, kind, node[head])
        return
    _expand_path(state, node[head], rest, whole)


def _resolve(state: State, kind: str, value: Any) -> Any:
    if isinstance(value, list):
        return [_resolve(state, kind, v) for v in value]
    if isinstance(value, str):
        found = state.peek(kind, value)
        return public(found) if found is not None else value
    return value


def page_forward(
    state: State,
    kind: str,
    p: dict[str, Any],
    wanted: Callable[[dict[str, Any]], bool],
    url: str,
    *,
    since: int | None = None,
) -> dict[str, Any]:
    """A newest-first page of `kind` from the cursor on: it looks at the objects after the cursor until it has
    `limit` and one more (has_more), so a page costs what it returns, not the size of the list (a million-
    customer sandbox serves a sync's pages as fast as a small one). `since`: nothing older is listed (the event
    window). Stripe's behaviour, unchanged by this: API reference "Pagination" (`starting_after` is the id of
    the last object of the previous page; `has_more` says whether more follow), and a cursor that is not an
    object of the list is a 404 `resource_missing` on `starting_after` (tests/integration/test_sandbox_paging.py).
    Paging backwards (`ending_before`: the `limit` objects just newer than the cursor, `has_more` when newer
    ones remain, as `page` does it) looks from the cursor towards the newest in the same way."""
    table = state.table(kind)
    lo, hi = _created_bounds(table, p.get("created"), since)

    def listed(obj: dict[str, Any]) -> bool:
        # wanted() first: it leaves out what has no `created` (a deleted customer's stub)
        return wanted(obj) and (since is None or obj["created"] >= since) and in_range(obj["created"], p.get("created"))

    limit = p.get("limit", 10)
    if not 1 <= limit <= 100:
        return page(state, [], p, url)  # the same 400 as every list
    one_cursor(p)
    before = p.get("ending_before")
    if before is not None:  # the `limit` objects just newer than the cursor, newest first (a sync's event walk)
        where = table.position(before)
        if where is None or not listed(table.newest(where)):
            return page(state, [], p, url)  # its 404 for the cursor
        newer: list[dict[str, Any]] = []
        for i in range(min(where, hi) - 1, lo - 1, -1):  # from the cursor towards the newest, a page's worth
            obj = table.newest(i)
            if listed(obj):
                newer.append(obj)
                if len(newer) > limit:
                    break
        return page_of(state, newer[:limit][::-1], len(newer) > limit, p, url)
    after = p.get("starting_after")
    if after is not None:
        where = table.position(after)
        if where is None or not listed(table.newest(where)):  # Stripe: the cursor must be an object of this list
            return page(state, [], p, url)  # its 404 for the cursor
        lo = max(lo, where + 1)
    found: list[dict[str, Any]] = []
    for i in range(lo, hi):  # by index: no copy of the range; stops as soon as the page is full
        obj = table.newest(i)
        if listed(obj):
            found.append(obj)
            if len(found) > limit:
                break
    return page_of(state, found[:limit], len(found) > limit, p, url)


def _created_bounds(table: Table, spec: Any, since: int | None) -> tuple[int, int]:
    """The part of the newest-first list a created range (and `since`) can match: binary search, no scan
    (listed() settles the exact edges: gt and lt are taken as gte and lte here)."""
    spec = spec if isinstance(spec, dict) else {"gte": spec, "lte": spec} if isinstance(spec, int) else {}
    upper = spec.get("lt", spec.get("lte"))
    lower = max((v for v in (spec.get("gte", spec.get("gt")), since) if v is not None), default=None)
    return table.created_bounds(lower, upper)
