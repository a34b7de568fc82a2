#!/usr/bin/env bash
# Set up the environment, then lint (ruff), type check (mypy strict on planner/) and test (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
echo "== ruff check"; .venv/bin/ruff check .
echo "== ruff format --check"; .venv/bin/ruff format --check .
echo "== mypy --strict planner/"; .venv/bin/mypy
echo "== pytest"; exec .venv/bin/pytest "$@"
