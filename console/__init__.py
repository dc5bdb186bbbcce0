"""churn-console: a desktop operator console for Stripe subscription churn."""

__version__ = "0.1.0"
