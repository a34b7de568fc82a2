#!/usr/bin/env bash
# Set up the environment, then lint (ruff), type check (mypy strict on planner/) and test (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# Headless Chromium for tests/test_browser.py (Debian's package). Only when missing and we are
# root with apt-get; a failure is not fatal: the browser tests then skip and say why.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing chromium (Debian package) for the browser tests"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; then
    { apt-get update -q >/dev/null 2>&1 \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; } \
      || echo "   chromium could not be installed: the browser tests will skip"
  fi
fi
echo "== ruff check"; .venv/bin/ruff check .
echo "== ruff format --check"; .venv/bin/ruff format --check .
echo "== mypy --strict planner/"; .venv/bin/mypy
echo "== pytest"; exec .venv/bin/pytest "$@"
