"""Survey answers are shown with the portal's own labels."""

from console.domain.feedback import PORTAL_LABELS, label


def test_all_eight_portal_reasons_have_their_labels():
    assert label("too_expensive") == "It's too expensive"
    assert label("switched_service") == "I found an alternative"
    assert label("too_complex") == "Ease of use was less than expected"
    assert len(PORTAL_LABELS) == 8


def test_missing_and_unknown_answers():
    assert label(None) == "No answer"
    assert label("brand_new_code") == "Brand new code"
