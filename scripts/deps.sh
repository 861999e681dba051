#!/usr/bin/env bash
# Installs what the tests need, when it is missing:
#   - chromium, driven by the browser tests;
#   - the PostgreSQL server binaries, used by scripts/db.sh;
#   - axe-core (npm, pinned in tools/axe), injected by the accessibility tests.
# Silent when everything is present. Installs with apt-get when running as
# root (or with passwordless sudo); otherwise says what to install and fails.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
pg_bindir >/dev/null || missing+=(postgresql)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ "${#missing[@]}" -gt 0 ]; then
	apt_install "${missing[@]}"
fi

command -v chromium >/dev/null 2>&1 || die "chromium is still not on PATH after installing it"
pg_bindir >/dev/null || die "no PostgreSQL server binaries (initdb, pg_ctl) after installing postgresql"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$root/tools/axe/node_modules/axe-core/axe.min.js" ]; then
	say "installing axe-core (npm ci in tools/axe)"
	(cd "$root/tools/axe" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci in tools/axe failed"
fi
