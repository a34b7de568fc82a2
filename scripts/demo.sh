#!/usr/bin/env bash
# Set up the environment and run the demo scenario: writes outputs/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/planner run scenarios/demo.yaml "$@"
