"""The Failed payments tab: the failed-payments queue, its charges and the save desk on its rows (issue 33)."""
