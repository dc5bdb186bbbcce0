"""Suite-wide setup: Qt offscreen before any Qt import, and no test touches the real home dir."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
