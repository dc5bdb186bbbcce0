"""The Recovery tab: what recovering failed payments was worth (issue 34)."""
