"""The outcomes tab: summary cards and four pyqtgraph charts, read only from the local cache."""
