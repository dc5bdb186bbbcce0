"""Small dialogs: consent, new coupon, pause until a date, bulk progress, playbook."""
