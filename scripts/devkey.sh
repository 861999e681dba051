#!/usr/bin/env bash
# Prints the development consent-cookie key, making it on first use, so that
# consents given during `make run` survive a restart. It lives in .data/
# (ignored by git); production sets CONPRO_COOKIE_KEY itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -n "${CONPRO_COOKIE_KEY:-}" ]; then
	printf '%s\n' "$CONPRO_COOKIE_KEY"
	exit 0
fi
key_file=.data/dev-cookie-key
if [ ! -s "$key_file" ]; then
	mkdir -p .data
	(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$key_file")
fi
cat "$key_file"
echo
