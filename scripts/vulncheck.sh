#!/usr/bin/env bash
# Runs govulncheck (pinned in go.mod as a go tool) on ./... against a local
# copy of the Go vulnerability database, so that it needs no access to
# vuln.go.dev: only the Go module proxy.
#
# The database comes from the module golang.org/x/vulndb at VULNDB_VERSION
# (fetched with `go mod download`), whose data/osv/ holds every report as OSV
# JSON; tools/vulndb turns those into the v1 layout that `govulncheck -db
# file://DIR` reads, in .data/vulndb/. That folder is rebuilt only when the
# pinned version or tools/vulndb changes.
#
# The pin is also the database's age: bump it now and then to the newest
# version, `go list -m golang.org/x/vulndb@latest`. To try the newest
# without changing the pin: VULNDB_VERSION=latest scripts/vulncheck.sh.
# Arguments go to govulncheck, e.g. scripts/vulncheck.sh -show verbose.
# Exit status: govulncheck's, 3 when the code calls a known vulnerability.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

GO="${GO:-go}"
VULNDB_VERSION="${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}"
db="$PWD/.data/vulndb"

# The JSON that `go mod download -json` prints has one "Key": "value" a line.
json_field() { sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p"; }

stamp_of() { printf '%s %s\n' "$1" "$(cksum <tools/vulndb/main.go)"; }

current() { [ -f "$db/STAMP" ] && [ "$(cat "$db/STAMP")" = "$(stamp_of "$1")" ]; }

if [ "$VULNDB_VERSION" = latest ] || ! current "$VULNDB_VERSION"; then
	say "fetching golang.org/x/vulndb@$VULNDB_VERSION (go mod download)"
	info="$("$GO" mod download -json "golang.org/x/vulndb@$VULNDB_VERSION")" ||
		die "go mod download golang.org/x/vulndb@$VULNDB_VERSION failed: $(json_field Error <<<"$info")"
	version="$(json_field Version <<<"$info")"
	src="$(json_field Dir <<<"$info")"
	if [ -z "$version" ] || [ ! -d "$src/data/osv" ]; then
		die "golang.org/x/vulndb@$VULNDB_VERSION has no data/osv folder (got: ${src:-no Dir})"
	fi
	if current "$version"; then
		say "vulnerability database $version is current"
	else
		say "building the vulnerability database from golang.org/x/vulndb@$version into .data/vulndb"
		mkdir -p .data
		"$GO" run ./tools/vulndb -osv "$src/data/osv" -out "$db"
		stamp_of "$version" >"$db/STAMP"
	fi
fi

say "govulncheck ./... against $(cut -d' ' -f1 "$db/STAMP")"
exec "$GO" tool govulncheck -db "file://$db" "$@" ./...
