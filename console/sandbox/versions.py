"""The API versions the sandbox speaks (imported by `churn-console sandbox --help` without the sandbox itself)."""

API_VERSION = "2026-10-28.endive"
# An event's data.object is rendered in the API version the account had when it happened
# (docs: "Versioning", event.api_version). Before 2025-03-31.basil the billing period was on the
# subscription, not on its items (changelog "Deprecate subscription current period start and end").
OLDER_API_VERSION = "2025-02-24.acacia"
