"""The detail pane explains a tiered, discounted MRR in words, and the table shows the net figure."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.integration.conftest import client_for


def test_detail_pane_explains_a_tiered_discounted_mrr(qtbot, open_window, demo, tmp_path):
    admin = client_for(demo, demo.secret_key)
    price = next(p for p in admin.v1.prices.list({"limit": 100}).auto_paging_iter() if p.nickname == "Seats graduated (USD)")
    cust = admin.v1.customers.create({"name": "Tiered Customer", "email": "tiered@example.com"})
    sub = admin.v1.subscriptions.create(
        {"customer": cust.id, "items": [{"price": price.id, "quantity": 12}], "discounts": [{"coupon": "RETAIN25-3M"}]}
    )
    admin.v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
    window = open_window(demo)
    window.queue.filters.search.setFocus()
    QTest.keyClicks(window.queue.filters.search, "Tiered Customer")
    qtbot.waitUntil(lambda: window.queue.proxy.rowCount() == 1, timeout=5000)
    rect = window.queue.table.visualRect(window.queue.proxy.index(0, 0))
    QTest.mouseClick(window.queue.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    detail = window.queue.detail
    assert detail.fields["MRR at stake"].text() == "$179.00 list − 25% coupon = $134.25/mo"
    worked = detail.fields["Worked out"].text()
    assert "12 units, graduated tiers = $179.00/mo" in worked and "− 25% coupon ($44.75/mo until" in worked
    mrr_column = next(
        c for c in range(window.queue.proxy.columnCount()) if window.queue.proxy.headerData(c, Qt.Orientation.Horizontal) == "MRR"
    )
    assert window.queue.proxy.index(0, mrr_column).data() == "$134.25"
    window.resize(1400, 900)
    assert window.grab().save(str(tmp_path / "detail-tiered-mrr.png"))  # the docs' copy: resources/screenshots/ (./dev shots)
