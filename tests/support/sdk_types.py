"""Check a JSON object against the stripe SDK's declared resource types (the pinned API version)."""

from __future__ import annotations

import sys
import typing
from typing import Any, Literal, Union

from stripe._stripe_object import StripeObject


class _AnyMissing(dict):
    """Names the SDK imports only for type checking: found through stripe's lazy namespace, else Any."""

    def __missing__(self, key: str) -> Any:
        import stripe

        try:
            found = getattr(stripe, key)
        except AttributeError:
            return Any
        return found if isinstance(found, type) else Any


def declared(cls: type) -> dict[str, Any]:
    """Field -> resolved type, for a StripeObject subclass (private and ClassVar fields left out)."""
    out: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        module = sys.modules.get(klass.__module__)
        ns = dict(vars(module)) if module else {}
        for name, ann in vars(klass).get("__annotations__", {}).items():
            if name.startswith("_") or name == "OBJECT_NAME":
                continue
            if isinstance(ann, str):
                try:
                    ann = eval(
                        ann,
                        ns,
                        _AnyMissing({k: getattr(klass, k) for k in dir(klass) if isinstance(getattr(klass, k, None), type)}),
                    )  # noqa: S307
                except Exception:
                    ann = Any
            if typing.get_origin(ann) is typing.ClassVar:
                continue
            out[name] = ann
    return out


def problems(value: Any, tp: Any, path: str = "") -> list[str]:
    """Every place where `value` does not fit `tp`; empty when it fits."""
    if isinstance(tp, typing.ForwardRef):
        tp = _AnyMissing()[tp.__forward_arg__]
    if tp is Any:
        return []
    origin = typing.get_origin(tp)
    if origin is Union or str(origin) == "types.UnionType":
        results = [problems(value, arg, path) for arg in typing.get_args(tp)]
        return [] if any(not r for r in results) else min(results, key=len)
    if origin is Literal:
        return [] if value in typing.get_args(tp) else [f"{path}: {value!r} not in {typing.get_args(tp)}"]
    if tp is type(None):
        return [] if value is None else [f"{path}: expected null"]
    if tp is bool:
        return [] if isinstance(value, bool) else [f"{path}: expected bool, got {value!r}"]
    if tp is int:
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{path}: expected int, got {value!r}"]
    if tp is float:
        return (
            [] if isinstance(value, (int, float)) and not isinstance(value, bool) else [f"{path}: expected number, got {value!r}"]
        )
    if tp is str:
        return [] if isinstance(value, str) else [f"{path}: expected string, got {value!r}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: expected list"]
        (inner,) = typing.get_args(tp) or (Any,)
        return [p for i, v in enumerate(value) for p in problems(v, inner, f"{path}[{i}]")]
    name = getattr(origin or tp, "__name__", "")
    if name in ("ExpandableField",):
        return [] if isinstance(value, str) else problems(value, typing.get_args(tp)[0], path)
    if name == "ListObject":
        if not isinstance(value, dict) or value.get("object") != "list":
            return [f"{path}: expected a list object"]
        (inner,) = typing.get_args(tp) or (Any,)
        return [p for i, v in enumerate(value["data"]) for p in problems(v, inner, f"{path}.data[{i}]")]
    if origin is dict or name in ("UntypedStripeObject", "Dict"):
        return [] if isinstance(value, dict) else [f"{path}: expected object"]
    if isinstance(tp, type) and issubclass(tp, StripeObject):
        return shape_problems(value, tp, path)
    return []


def shape_problems(obj: Any, cls: type, path: str = "") -> list[str]:
    """Keys the SDK does not declare, and values of the wrong type."""
    if not isinstance(obj, dict):
        return [f"{path}: expected object for {cls.__name__}"]
    fields = declared(cls)
    out = [f"{path}.{k}: not declared by stripe.{cls.__name__}" for k in obj if k not in fields]
    for key, value in obj.items():
        if key in fields:
            out.extend(problems(value, fields[key], f"{path}.{key}"))
    return out
