"""Render resources/icons/churn-console.svg to the PNG sizes desktops and installers ask for.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/icons.py   (the PNGs are committed)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from console.ui.theme import ICON_SIZES  # noqa: E402


def main() -> None:
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - painting needs one
    folder = ROOT / "resources" / "icons"
    renderer = QSvgRenderer(str(folder / "churn-console.svg"))
    if not renderer.isValid():
        raise SystemExit("churn-console.svg could not be read")
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = folder / f"churn-console-{size}.png"
        image.save(str(out))
        print(out.relative_to(ROOT))


if __name__ == "__main__":
    main()
