"""Names vulture cannot see used (./dev test runs `vulture console` with this file): each is read by a framework,
a protocol, the SDK or a test, never by our own calls. Anything else vulture reports is dead: remove it."""

# ruff: noqa
# mypy: ignore-errors
_ = object()

# Qt calls these overrides (QAbstractTableModel, QSortFilterProxyModel) by name
_.columnCount
# pyqtgraph calls these AxisItem overrides by name (ui/analytics/axes.py)
_.tickValues
_.tickStrings
_.headerData
# QStatusBar's own name, overridden (ui/status_bar.py): the tests and anyone holding the bar ask it, our code does not
_.currentMessage
_.multiData
_.filterAcceptsRow
_.mapToSource
source_parent
# http.server and socketserver read these class attributes and call do_* / log_message by name
protocol_version
server_version
disable_nagle_algorithm
daemon_threads
request_queue_size
allow_reuse_address
_.address_family
_.close_connection
_.log_message
_.do_GET
_.do_POST
_.do_DELETE
# the sandbox's log entries are read over /_sandbox/log (as JSON) by tests and benchmarks
fault
_.fault
# the sandbox's Python API for tests and the CLI's sandbox command (keys, faults, the log, the clock)
_.make_key
_.revoke_key
_.configure_faults
_.clear_log
_.mangle_next
_.clear_mangles
_.advance
_.card_updated
# sqlite3 reads a cursor's row_factory
_.row_factory
# logging.LogRecord fields the redacting handler rewrites; the stripe module's switch
_.msg
_.exc_text
_.enable_telemetry
# the TextIO protocol of the escaping output stream
_.writelines
# a journal column the dataclass carries to and from SQLite
applied_at
# the SDK's parameter TypedDicts, named in cast("...") strings
CouponCreateParams
SubscriptionCreateParams
SessionCreateParams
# drawn by name: render.CHARTS lists the chart functions
by_reason
# the journal's per-subscription history, read by the reliability tests
_.for_subscription
# the save desk view a test or the screenshots pick, as a click in the view combo does
_.show_view
# the tests reach the pages built when their tab is first shown by these names (ui/main_window.py, ui/lazy_page.py)
_.analytics_page
_.portal_page
_.failed_page
_.recovery_page
# what the UI tests wait for: the Failed payments page's latest whole read is shown (tests/ui/test_failed_tab.py)
_.settled
