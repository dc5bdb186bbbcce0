"""SDK objects (as plain dicts) to the console's domain records."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, overload

from ..domain.events import Change, InvoiceChange
from ..domain.feedback import FeedbackOption
from ..domain.models import Account, Coupon, Customer, Item, PortalConfigSummary, Subscription
from ..domain.mrr import PriceTiers, Tier, Usage, decimal_of
from ..domain.save_value import LedgerInvoice
from .convert_failed import collection, invoice_subscription


@overload
def ts(value: int) -> datetime: ...
@overload
def ts(value: int | None) -> datetime | None: ...
def ts(value: int | None) -> datetime | None:
    """A Stripe timestamp as an aware UTC datetime."""
    return None if value is None else datetime.fromtimestamp(value, UTC)


def account(obj: dict[str, Any], livemode: bool) -> Account:
    settings = obj.get("settings") or {}
    name = (
        (settings.get("dashboard") or {}).get("display_name")
        or (obj.get("business_profile") or {}).get("name")
        or obj.get("email")
        or obj["id"]
    )
    return Account(id=obj["id"], name=name, livemode=livemode, created=int(obj.get("created") or 0), readable=True)


_REFUSED_ACCOUNT = re.compile(r"on account '(acct_\w+)'")


def account_from_refusal(message: str, livemode: bool, name: str, *, fallback_id: str) -> Account:
    """The account named in Stripe's 403 to `GET /v1/account` (its display name cannot be read)."""
    found = _REFUSED_ACCOUNT.search(message)
    account_id = found.group(1) if found else fallback_id
    return Account(id=account_id, name=name or account_id, livemode=livemode, readable=False)


def plain(obj: Any) -> dict[str, Any]:
    """An SDK object as a plain dict (an answer that is not an object fails here, as unreadable)."""
    out: dict[str, Any] = obj.to_dict()
    return out


def page(data: Any) -> tuple[list[dict[str, Any]], bool]:
    """A list answer's objects and whether more follow."""
    if not isinstance(data, dict):
        raise TypeError(f"a list answer is {type(data).__name__}")
    return _required(data, "data", list), bool(_required(data, "has_more", bool))


def livemode(obj: Any) -> bool:
    return bool(_required(obj, "livemode", bool))


def object_id(obj: Any) -> str:
    return str(_required(obj, "id", str))


def _required(obj: dict[str, Any], key: str, kind: type) -> Any:
    """A field the console cannot do without: missing, null or of another type raises (never a silent zero)."""
    value = obj[key]
    if not isinstance(value, kind):
        raise TypeError(f"{key} is {type(value).__name__}, expected {kind.__name__}")
    return value


def item(obj: dict[str, Any], period_end: int | None = None) -> Item:
    """A subscription item. Its billing period is on the item since API 2025-03-31; an event rendered in an
    older version has it on the subscription (`period_end`); when neither has it, it stays unknown."""
    price = _required(obj, "price", dict)  # a subscription item always has its price: MRR comes from it
    recurring = _required(price, "recurring", dict)
    transform = price.get("transform_quantity") or {}
    decimal = price.get("unit_amount_decimal")
    metered = recurring.get("usage_type") == "metered"
    return Item(
        price_id=_required(price, "id", str),
        product_id=price.get("product") if isinstance(price.get("product"), str) else (price.get("product") or {}).get("id", ""),
        nickname=price.get("nickname"),
        unit_amount=price.get("unit_amount") or 0,
        currency=price.get("currency") or "",
        interval=_required(recurring, "interval", str),
        interval_count=recurring.get("interval_count") or 1,
        quantity=0 if metered else int(obj["quantity"] if obj.get("quantity") is not None else 1),
        current_period_end=ts(obj.get("current_period_end", period_end)),
        item_id=obj.get("id") or "",
        billing_scheme=price.get("billing_scheme") or "per_unit",
        tiers_mode=price.get("tiers_mode"),
        transform_divide_by=transform.get("divide_by"),
        transform_round=transform.get("round"),
        usage_type="metered" if metered else "licensed",
        unit_amount_decimal=None if decimal is None else str(decimal),
    )


def customer(obj: dict[str, Any], *, deleted: bool = False) -> Customer:
    """A customer object, or Stripe's deleted one (`{"id", "object": "customer", "deleted": true}`)."""
    return Customer(
        id=_required(obj, "id", str),
        name=obj.get("name"),
        email=obj.get("email"),
        deleted=deleted or bool(obj.get("deleted")),
        default_payment_method=_id_of((obj.get("invoice_settings") or {}).get("default_payment_method")),
    )


def subscription(obj: dict[str, Any]) -> Subscription:
    customer = obj["customer"]
    cust = customer if isinstance(customer, dict) else {"id": _required(obj, "customer", str)}
    details = obj.get("cancellation_details") or {}
    pause = obj.get("pause_collection")
    discounts = obj.get("discounts") or []
    discount_ids = tuple(d if isinstance(d, str) else d.get("id", "") for d in discounts)
    expanded = [d for d in discounts if isinstance(d, dict)]
    coupon_ids = tuple(_coupon_of(d) for d in expanded)
    period_end = obj.get("current_period_end")  # API versions before 2025-03-31 (older events)
    option_id, option_text = _feedback_option(details)
    return Subscription(
        id=obj["id"],
        customer_id=_required(cust, "id", str),
        customer_name=cust.get("name"),
        customer_email=cust.get("email"),
        status=obj.get("status") or "active",
        currency=_required(obj, "currency", str),
        created=ts(_required(obj, "created", int)),
        items=tuple(item(i, period_end) for i in _required(_required(obj, "items", dict), "data", list)),
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
        cancel_at=ts(obj.get("cancel_at")),
        canceled_at=ts(obj.get("canceled_at")),
        ended_at=ts(obj.get("ended_at")),
        feedback=details.get("feedback"),
        feedback_option=option_id,
        feedback_text=option_text,
        comment=details.get("comment"),
        cancel_reason=details.get("reason"),
        discount_ids=discount_ids,
        coupon_ids=coupon_ids if all(coupon_ids) else tuple(c for c in coupon_ids if c),
        paused=bool(pause),
        pause_resumes_at=ts((pause or {}).get("resumes_at")),
        metadata=dict(obj.get("metadata") or {}),
        customer_deleted=bool(cust.get("deleted")),
        discount_ends=tuple(ts(d.get("end")) for d in expanded) if len(expanded) == len(discounts) else (),
        trial_end=ts(obj.get("trial_end")),
        billing_mode=(obj.get("billing_mode") or {}).get("type") or "classic",
        schedule_id=_id_of(obj.get("schedule")),
        collection_method=obj.get("collection_method") or "charge_automatically",
        paused_at=ts(((obj.get("status_details") or {}).get("paused") or {}).get("transitioned_at")),
    )


def _id_of(value: Any) -> str | None:
    """An expandable field: its id, whether Stripe sent the id or the object."""
    return value.get("id") if isinstance(value, dict) else value


def _feedback_option(details: dict[str, Any]) -> tuple[str | None, str | None]:
    """`cancellation_details.feedback_option`: an id, or the option itself when expanded (id, text)."""
    option = details.get("feedback_option")
    if isinstance(option, dict):
        return _required(option, "id", str), option.get("description")
    return option, None


def _coupon_of(discount: dict[str, Any]) -> str:
    """The coupon of an applied discount: `source.coupon` (an id, or the coupon when expanded)."""
    coupon = (discount.get("source") or {}).get("coupon") or ""
    return coupon.get("id", "") if isinstance(coupon, dict) else coupon


def price_tiers(obj: dict[str, Any]) -> PriceTiers:
    """A tiered price's tiers (`up_to: null` is the last, unbounded tier; amounts may be decimal strings)."""
    tiers = []
    for t in _required(obj, "tiers", list):
        unit = decimal_of(t.get("unit_amount_decimal")) or decimal_of(t.get("unit_amount")) or Decimal(0)
        flat = decimal_of(t.get("flat_amount_decimal")) or decimal_of(t.get("flat_amount")) or Decimal(0)
        tiers.append(Tier(t.get("up_to"), unit, flat))
    return PriceTiers(_required(obj, "id", str), _required(obj, "tiers_mode", str), tuple(tiers))


def usage_lines(invoice: dict[str, Any]) -> list[Usage]:
    """The lines of an invoice that bill a metered subscription item (`pricing.price_details.price`)."""
    out = []
    for line in _required(_required(invoice, "lines", dict), "data", list):
        details = (line.get("parent") or {}).get("subscription_item_details") or {}
        price = ((line.get("pricing") or {}).get("price_details") or {}).get("price")
        price_id = price.get("id") if isinstance(price, dict) else price
        item_id = details.get("subscription_item")
        if item_id and price_id and not details.get("proration"):
            out.append(
                Usage(
                    item_id=item_id,
                    price_id=price_id,
                    amount_minor=_required(line, "amount", int),
                    quantity=int(line.get("quantity") or 0),
                    invoice_id=_required(invoice, "id", str),
                    period_end=(line.get("period") or {}).get("end"),
                )
            )
    return out


def ledger_invoice(invoice: dict[str, Any], subscription_id: str) -> tuple[LedgerInvoice, list[tuple[str, str]]]:
    """An invoice of a saved subscription, and (discount id, coupon id) for each of its discounts that came
    expanded (`expand[]=data.discounts`; a discount names its coupon in `source.coupon` in current API versions,
    as a `coupon` object in older ones; an id left unexpanded names no coupon)."""
    amounts = tuple(
        (_required(d, "discount", str), _required(d, "amount", int)) for d in invoice.get("total_discount_amounts") or []
    )
    coupons = []
    for disc in invoice.get("discounts") or []:
        if isinstance(disc, dict) and isinstance(disc.get("id"), str):
            source = (disc.get("source") or {}).get("coupon") or disc.get("coupon")
            found = source.get("id") if isinstance(source, dict) else source
            if isinstance(found, str):
                coupons.append((disc["id"], found))
    ledger = LedgerInvoice(
        id=_required(invoice, "id", str),
        subscription_id=subscription_id,
        created=_required(invoice, "created", int),
        currency=_required(invoice, "currency", str),
        status=_required(invoice, "status", str),
        amount_paid=_required(invoice, "amount_paid", int),
        total=_required(invoice, "total", int),
        discounts=amounts,
        attempt_count=int(invoice.get("attempt_count") or 0),
    )
    return ledger, coupons


def subscription_invoice(invoice: dict[str, Any]) -> tuple[LedgerInvoice, list[tuple[str, str]]] | None:
    """An invoice that bills a subscription, as the ledger keeps it; None for one that bills none."""
    sub_id = invoice_subscription(invoice)
    return ledger_invoice(invoice, sub_id) if sub_id else None


def invoice_change(event: dict[str, Any]) -> InvoiceChange:
    """An invoice event: the invoice after it, or an InvoicePayment's invoice and amount (`invoice_payment.paid`)."""
    obj = (event.get("data") or {}).get("object") or {}
    head = {"id": _required(event, "id", str), "type": event.get("type") or "", "created": _required(event, "created", int)}
    if obj.get("object") == "invoice_payment":
        invoice_id = obj.get("invoice")
        invoice_id = invoice_id.get("id") if isinstance(invoice_id, dict) else invoice_id
        paid = (invoice_id, int(obj.get("amount_paid") or 0)) if isinstance(invoice_id, str) else None
        return InvoiceChange(**head, paid=paid)
    if obj.get("object") == "payment_method":  # the card updater changed a customer's card
        customer = obj.get("customer")
        customer = customer.get("id") if isinstance(customer, dict) else customer
        return InvoiceChange(**head, card=(customer, obj.get("id") or "") if isinstance(customer, str) else None)
    found = subscription_invoice(obj) if obj.get("object") == "invoice" else None
    if found is None:
        return InvoiceChange(**head)
    usage = tuple(usage_lines(obj)) if isinstance(obj.get("lines"), dict) else ()
    return InvoiceChange(**head, invoice=found[0], coupons=tuple(found[1]), usage=usage, collection=collection(obj))


def coupon(obj: dict[str, Any]) -> Coupon:
    return Coupon(
        id=obj["id"],
        name=obj.get("name"),
        percent_off=obj.get("percent_off"),
        amount_off=obj.get("amount_off"),
        currency=obj.get("currency"),
        duration=obj.get("duration") or "once",
        duration_in_months=obj.get("duration_in_months"),
        valid=bool(obj.get("valid", True)),
        times_redeemed=obj.get("times_redeemed") or 0,
        max_redemptions=obj.get("max_redemptions"),
    )


def portal_config(obj: dict[str, Any]) -> PortalConfigSummary:
    features = obj.get("features") or {}
    on = tuple(sorted(name for name, spec in features.items() if isinstance(spec, dict) and spec.get("enabled")))
    return PortalConfigSummary(
        id=obj["id"],
        name=obj.get("name"),
        is_default=bool(obj.get("is_default")),
        active=bool(obj.get("active")),
        updated=ts(obj.get("updated")) or datetime.now(UTC),
        features_on=on,
    )


def change(event: dict[str, Any]) -> Change:
    """An event as a Change: the converted object after the event, and previous_attributes."""
    data = event.get("data") or {}
    obj = data.get("object") or {}
    kind = obj.get("object")
    fields: dict[str, Any] = {}
    if kind == "subscription":
        fields["subscription"] = subscription(obj)
    elif kind == "customer":
        fields["customer"] = customer(obj, deleted=event.get("type") == "customer.deleted")
    elif kind == "coupon":
        fields["coupon"] = coupon(obj)
    elif kind == "discount":
        fields["discount"] = (obj["id"], _coupon_of(obj), obj.get("subscription"), obj.get("end"))
    elif kind == "billing_portal.configuration":
        fields["portal_configuration"] = portal_config(obj)
    return Change(
        id=event["id"],
        type=event.get("type") or "",
        created=ts(event.get("created")) or datetime.now(UTC),
        previous=dict(data.get("previous_attributes") or {}),
        **fields,
    )


def feedback_option(obj: dict[str, Any]) -> FeedbackOption:
    """A `billing.feedback_option`: `status` is active or inactive (SDK type `FeedbackOption.status`)."""
    return FeedbackOption(
        id=_required(obj, "id", str),
        description=_required(obj, "description", str),
        active=obj.get("status", "active") == "active",
    )
