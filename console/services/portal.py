"""The portal editor's use cases: list, load, save (only what changed, never over a newer version), export, apply."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..domain.feedback import FeedbackOption, option_text_problem
from ..domain.offers import retention_flow
from ..domain.portal import PortalConfig
from ..errors import ConsoleError

if TYPE_CHECKING:  # the SDK loads with the gateway, when a session goes online (not in the window's first paint)
    from ..stripe_gateway import StripeGateway


class PortalInvalid(ConsoleError):
    """Field problems found before anything was sent; `problems` maps field -> message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("The configuration has problems; nothing was sent.", "Correct each field listed, then save again.")
        self.problems = problems


class ChangedOnStripe(ConsoleError):
    """The configuration changed on Stripe since it was loaded; `remote` is the newer version."""

    def __init__(self, remote: PortalConfig) -> None:
        super().__init__(
            "This configuration was changed on Stripe since you opened it.", "Review both versions; nothing was overwritten."
        )
        self.remote = remote


@dataclass
class Plan:
    """What applying would do: create or update, and the field-by-field diff."""

    action: str  # create, update, nothing
    diff: list[tuple[str, object, object]]
    target: PortalConfig | None = None
    sent: dict[str, object] | None = None  # exactly the params applying would send


class PortalService:
    def __init__(self, gateway: StripeGateway) -> None:
        self.gateway = gateway

    def list(self) -> list[PortalConfig]:
        return [PortalConfig.from_stripe(o) for o in self.gateway.portal_configuration_objects()]

    def load(self, config_id: str) -> PortalConfig:
        return PortalConfig.from_stripe(self.gateway.portal_configuration_object(config_id))

    def create(self, config: PortalConfig) -> PortalConfig:
        if problems := config.problems():
            raise PortalInvalid(problems)
        return PortalConfig.from_stripe(self.gateway.create_portal_configuration(config.create_params()))

    def save(self, original: PortalConfig, edited: PortalConfig) -> PortalConfig:
        """Send only what changed; refuse when Stripe's copy moved since `original` was loaded."""
        if problems := edited.problems():
            raise PortalInvalid(problems)
        assert original.id is not None
        remote = self.load(original.id)
        if remote.updated != original.updated or remote.diff(original):
            raise ChangedOnStripe(remote)
        params = edited.update_params(original)
        if not params:
            return remote
        return PortalConfig.from_stripe(self.gateway.update_portal_configuration(original.id, params))

    def set_active(self, config_id: str, active: bool) -> PortalConfig:
        return PortalConfig.from_stripe(self.gateway.update_portal_configuration(config_id, {"active": active}))

    def export(self, config_id: str, fmt: str = "console") -> str:
        """Config as code: the console's format (with its id, for `apply`), or Stripe's API body."""
        config = self.load(config_id)
        return config.to_stripe_json() if fmt == "stripe" else config.to_json()

    def plan(self, text: str, config_id: str | None = None) -> tuple[PortalConfig, Plan]:
        """Parse and check an export, and say what applying it would change (create, or update which one)."""
        try:
            wanted = PortalConfig.from_json(text)
        except (ValueError, KeyError, TypeError) as exc:
            raise ConsoleError(
                f"That file is not a portal configuration (a churn-console export or Stripe's configuration JSON): {exc}.",
                "Export one with `churn-console portal export ID` (add `--format stripe` for Stripe's shape).",
            ) from None
        if problems := wanted.problems():
            raise PortalInvalid(problems)
        target_id = config_id or wanted.id
        if not target_id:
            return wanted, Plan("create", PortalConfig().diff(wanted), sent=wanted.create_params())
        current = self.load(target_id)
        diff = current.diff(wanted)
        sent = _with_identity(wanted, current).update_params(current) if diff else None
        return wanted, Plan("update" if diff else "nothing", diff, current, sent)

    def apply(self, wanted: PortalConfig, plan: Plan) -> PortalConfig:
        if plan.action == "create":
            return self.create(wanted)
        assert plan.target is not None
        if plan.action == "nothing":
            return plan.target
        return self.save(plan.target, _with_identity(wanted, plan.target))

    # custom reasons (Feedback Options API) ---------------------------------------------------------
    def reasons(self) -> builtins.list[FeedbackOption]:  # `list` here is the method above
        return self.gateway.feedback_options()

    def add_reason(self, text: str) -> FeedbackOption:
        return self.gateway.create_feedback_option(_checked(text))

    def rename_reason(self, option_id: str, text: str) -> FeedbackOption:
        """Customers who already chose it see the new words too (their subscriptions name the option)."""
        return self.gateway.update_feedback_option(option_id, _checked(text))

    def deactivate_reason(self, option_id: str) -> FeedbackOption:
        """No longer offered in new surveys; past answers keep it."""
        return self.gateway.deactivate_feedback_option(option_id)

    def session_url(
        self, customer_id: str, config_id: str, *, retention_coupon: str | None = None, subscription: str | None = None
    ) -> str:
        flow = None
        if retention_coupon:
            if not subscription:
                raise ConsoleError("A retention offer needs the subscription it is for.", "Give --subscription SUB.")
            flow = retention_flow(subscription, retention_coupon)
        return self.gateway.portal_session(customer_id, configuration=config_id, flow=flow)

    def try_link(self, who: str, config_id: str, *, retention_coupon: str | None = None, subscription: str | None = None) -> str:
        """The portal as a customer (found by id or e-mail) would see it with this configuration: a one-time URL."""
        found = self.gateway.find_customer(who)
        if found is None or found.deleted:
            raise ConsoleError(
                f"The customer {who!r} {'was deleted' if found else 'is not in this account'}.",
                "Use the id (cus_…) or exact e-mail of a customer who still exists.",
            )
        return self.session_url(found.id, config_id, retention_coupon=retention_coupon, subscription=subscription)


MAX_IMPORT_BYTES = 1_000_000  # a configuration is a few KB; anything this big is not one


def read_import(path: str) -> str:
    """A configuration file's text, or a ConsoleError that says what is wrong with the file (nothing is sent)."""
    from pathlib import Path

    file = Path(path).expanduser()
    hint = "Export one with `churn-console portal export ID > file.json`."
    try:
        if file.is_dir():
            raise ConsoleError(f"{path} is a folder, not a configuration file.", hint)
        size = file.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ConsoleError(f"{path} is {size / 1e6:.1f} MB; a portal configuration is a few KB.", hint)
        data = file.read_bytes()
    except FileNotFoundError:
        raise ConsoleError(f"There is no file {path}.", hint) from None
    except OSError as exc:
        raise ConsoleError(f"{path} cannot be read ({exc.strerror}).", "Check the file's permissions.") from None
    return decode_import(data, path)


def decode_import(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConsoleError(
            f"{name} is not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}).",
            "Save it as UTF-8 JSON, as `churn-console portal export` writes it.",
        ) from None


def _checked(text: str) -> str:
    text = text.strip()
    if problem := option_text_problem(text):
        raise PortalInvalid({"feedback_options": problem})
    return text


def _with_identity(wanted: PortalConfig, target: PortalConfig) -> PortalConfig:
    return replace(wanted, id=target.id, is_default=target.is_default, active=target.active, updated=target.updated)
