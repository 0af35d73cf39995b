#!/usr/bin/env bash
# Recompute the tshark-derived fields of every lab fixture's expected file
# and compare; also cross-checks each hand-written TCP/UDP history against
# the packets' flags. Needs tshark; no root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v tshark >/dev/null || { echo "tshark is not installed (Debian package tshark)" >&2; exit 1; }
exec npx vitest run test/lab/fixture-expectations.test.ts
