#!/usr/bin/env bash
# Run the built app without a screen: --version, then --demo --smoke (open the window, load the
# demo queue, exit 0). Usage: packaging/smoke.sh [dist/churn-console/churn-console]
set -euo pipefail
APP=${1:-dist/churn-console/churn-console}
want=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' console/__init__.py)
got=$("$APP" --version)
case "$got" in
  *"$want"*) echo "smoke: --version says '$got'" ;;
  *) echo "smoke: --version said '$got', expected $want" >&2; exit 1 ;;
esac
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
start=$(date +%s)
QT_QPA_PLATFORM=offscreen timeout 120 "$APP" --demo --smoke --data-dir "$data"
echo "smoke: --demo --smoke exited 0 after $(( $(date +%s) - start )) s (window opened, demo queue loaded)"
