"""Decode Stripe's form encoding and check params against the SDK's own TypedDicts."""

from __future__ import annotations

import functools
import importlib
import re
import sys
import types
import typing
from typing import Any, Literal, NotRequired, Required, Union
from urllib.parse import parse_qsl

from typing_extensions import is_typeddict

_KEY_PART = re.compile(r"\[([^\]]*)\]")
_INT = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?\d+(\.\d+)?")
# Keys that the SDK's RequestOptions adds to some params classes: never sent as params.
_REQUEST_OPTIONS = {
    "api_key",
    "stripe_version",
    "stripe_account",
    "stripe_context",
    "max_network_retries",
    "idempotency_key",
    "content_type",
    "headers",
}


class ParamError(Exception):
    """A request parameter that Stripe would refuse (400 invalid_request_error)."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


def decode_form(body: str) -> dict[str, Any]:
    """Turn `a[b][0][c]=v&x=1` into nested dicts; numeric-keyed dicts become lists."""
    root: dict[str, Any] = {}
    for raw_key, value in parse_qsl(body, keep_blank_values=True):
        head = raw_key.split("[", 1)[0]
        parts = [head] + _KEY_PART.findall(raw_key[len(head) :])
        node = root
        for i, part in enumerate(parts):
            if part == "":  # `expand[]=x`: append
                part = str(sum(1 for k in node if k.isdigit()))
            if i == len(parts) - 1:
                node[part] = value
            else:
                nxt = node.get(part)
                if not isinstance(nxt, dict):
                    nxt = node[part] = {}
                node = nxt
    return {key: _listify(value) for key, value in root.items()}  # the root stays a dict


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _listify(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


@functools.cache
def _fields(cls: type) -> dict[str, tuple[Any, bool]]:
    """Field name -> (resolved type, required) for a params TypedDict."""
    out: dict[str, tuple[Any, bool]] = {}
    for klass in reversed(cls.__mro__):
        ns = dict(vars(sys.modules[klass.__module__]))
        ns.update({"Literal": Literal, "NotRequired": NotRequired, "Required": Required})
        for name, ann in getattr(klass, "__annotations__", {}).items():
            if name in _REQUEST_OPTIONS:
                continue
            tp = eval(ann, ns) if isinstance(ann, str) else ann  # noqa: S307 - SDK's own annotations
            required = name in getattr(cls, "__required_keys__", ())
            out[name] = (_unwrap(tp, ns), required)
    return out


def _unwrap(tp: Any, ns: dict[str, Any]) -> Any:
    origin = typing.get_origin(tp)
    if origin in (NotRequired, Required, typing.NotRequired, typing.Required):
        return _unwrap(typing.get_args(tp)[0], ns)
    if isinstance(tp, str):
        return _unwrap(eval(tp, ns), ns)  # noqa: S307
    if isinstance(tp, typing.ForwardRef):
        return _unwrap(eval(tp.__forward_arg__, ns), ns)  # noqa: S307
    return tp


def load(path: str) -> type:
    """Import a params class by dotted path, e.g. `stripe.params._coupon_create_params.CouponCreateParams`."""
    module, _, name = path.rpartition(".")
    found: type = getattr(importlib.import_module(module), name)
    return found


def validate(cls: type, params: dict[str, Any]) -> dict[str, Any]:
    """Check and coerce decoded params; raise ParamError with Stripe's wording."""
    return _check_dict(cls, params, "")


def _check_dict(cls: type, value: Any, prefix: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParamError(f"Invalid object: {prefix} must be a hash.", prefix)
    fields = _fields(cls)
    out: dict[str, Any] = {}
    for key, raw in value.items():
        name = f"{prefix}[{key}]" if prefix else key
        if key not in fields:
            raise ParamError(f"Received unknown parameter: {name}", name)
        out[key] = _check(fields[key][0], raw, name, cls.__module__)
    for key, (_, required) in fields.items():
        if required and key not in value:
            name = f"{prefix}[{key}]" if prefix else key
            raise ParamError(f"Missing required param: {name}.", name)
    return out


def _members(tp: Any) -> list[Any]:
    if typing.get_origin(tp) in (Union, types.UnionType):
        res: list[Any] = []
        for arg in typing.get_args(tp):
            res.extend(_members(arg))
        return res
    return [tp]


def _resolve(tp: Any, module: str) -> Any:
    """A forward reference left inside a generic (`List["X"]`), looked up in the params module."""
    if isinstance(tp, typing.ForwardRef):
        ns = dict(vars(sys.modules[module]))
        ns.update({"Literal": Literal, "NotRequired": NotRequired, "Required": Required})
        return _unwrap(tp, ns)
    return tp


def _check(tp: Any, raw: Any, name: str, module: str) -> Any:
    members = [_resolve(m, module) for m in _members(_resolve(tp, module))]
    literals = [v for m in members if typing.get_origin(m) is Literal for v in typing.get_args(m)]
    others = [m for m in members if typing.get_origin(m) is not Literal]
    # `Literal['a', 'b'] | str` is the SDK's forward-compatible enum: the API itself
    # accepts only the listed values. `Literal[''] | str` is a clearable string.
    closed_enum = any(v != "" for v in literals)
    if isinstance(raw, str) and raw in literals:
        return raw
    errors: list[ParamError] = []
    for member in others:
        if member is str and closed_enum:
            continue
        try:
            return _check_one(member, raw, name, module)
        except ParamError as exc:
            errors.append(exc)
    if closed_enum and isinstance(raw, str) and not errors:
        shown = ", ".join(f"`{v}`" for v in literals if v != "")
        raise ParamError(f"Invalid {name}: must be one of {shown}", name)
    if errors:
        raise max(errors, key=lambda e: len(e.param))  # the most specific explanation
    if closed_enum:
        shown = ", ".join(f"`{v}`" for v in literals if v != "")
        raise ParamError(f"Invalid {name}: must be one of {shown}", name)
    raise ParamError(f"Invalid value for {name}.", name)


def _check_one(tp: Any, raw: Any, name: str, module: str) -> Any:
    tp = _resolve(tp, module)
    origin = typing.get_origin(tp)
    if tp is str:
        if not isinstance(raw, str):
            raise ParamError(f"Invalid string: {name}", name)
        return raw
    if tp is bool:
        if raw in ("true", "false"):
            return raw == "true"
        raise ParamError(f"Invalid boolean: {raw!r}", name)
    if tp is int:
        if isinstance(raw, str) and _INT.fullmatch(raw):
            return int(raw)
        raise ParamError(f"Invalid integer: {raw}", name)
    if tp is float:
        if isinstance(raw, str) and _FLOAT.fullmatch(raw):
            return float(raw)
        raise ParamError(f"Invalid decimal: {raw}", name)
    if origin in (list, list):
        (inner,) = typing.get_args(tp) or (str,)
        if isinstance(raw, dict) and not raw:
            raw = []
        if not isinstance(raw, list):
            raise ParamError(f"Invalid array: {name}", name)
        return [_check(inner, item, f"{name}[{i}]", module) for i, item in enumerate(raw)]
    if origin in (dict, dict) or getattr(tp, "__name__", "") == "UntypedStripeObject":
        if not isinstance(raw, dict):
            raise ParamError(f"Invalid object: {name} must be a hash.", name)
        return {str(k): v for k, v in raw.items()}
    if is_typeddict(tp):
        return _check_dict(tp, raw, name)
    if tp is type(None):
        raise ParamError(f"Invalid value for {name}.", name)
    if typing.get_origin(tp) is not None and typing.get_origin(tp).__name__ == "UntypedStripeObject":
        if not isinstance(raw, dict):
            raise ParamError(f"Invalid object: {name} must be a hash.", name)
        return dict(raw)
    raise ParamError(f"Invalid value for {name}.", name)
