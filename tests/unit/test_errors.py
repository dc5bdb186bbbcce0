"""Console errors and logs never carry a Stripe key."""

import logging

from console.errors import ConsoleError, redact
from console.logs import RedactingFilter

KEY = "rk_live_51HxYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


def test_redact_masks_every_key_shape():
    text = f"key {KEY} and sk_test_abc123 and pk_live_zz and rk_test_****abcd"
    clean = redact(text)
    assert "51HxYz" not in clean and "abc123" not in clean and "abcd" not in clean
    assert clean.count("_…") == 4


def test_console_error_text_and_repr_are_redacted():
    err = ConsoleError(f"Invalid API Key provided: {KEY}", f"try {KEY}")
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in err.hint


def test_log_filter_redacts_args_and_tracebacks():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "using %s", (KEY,), None)
    try:
        raise ValueError(KEY)
    except ValueError as exc:
        record.exc_info = (type(exc), exc, exc.__traceback__)
    RedactingFilter().filter(record)
    assert KEY not in record.getMessage()
    assert KEY not in (record.exc_text or "")
