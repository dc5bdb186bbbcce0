"""The Qt user interface: widgets bound to the services, never to `stripe`."""

from .qt_feature import lighten

lighten()  # before the window's ~350 modules are imported (ui/qt_feature.py)
