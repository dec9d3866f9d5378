#!/usr/bin/env bash
# Benchmarks, never timed tests. Figures go to bench-results/ and the console.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-results
.venv/bin/python scripts/bench.py "${@:-all}"
