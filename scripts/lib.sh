# shellcheck shell=bash
# Shared helpers for the scripts in this folder. Source it; do not run it.
#
# Every message goes to stderr, so that scripts whose stdout is data (db.sh
# prints a connection string) stay clean.

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# as_root CMD... runs CMD as root: directly when we are root, through sudo
# when it needs no password, and fails otherwise (the caller explains).
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		return 1
	fi
}

can_be_root() {
	[ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }
}

# apt_install PKG... installs Debian packages. It first tries without
# `apt-get update` (fast when the package lists are current) and updates only
# when that fails, e.g. on a fresh machine with empty lists. All apt output
# goes to stderr.
apt_install() {
	command -v apt-get >/dev/null 2>&1 ||
		die "missing: $*; this is not a Debian-like system, install them by hand"
	can_be_root ||
		die "missing: $*; install with: sudo apt-get install -y --no-install-recommends $*"
	say "installing $* (apt-get)"
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300)
	if ! as_root "${apt[@]}" install --no-install-recommends "$@" >&2 2>/dev/null; then
		as_root "${apt[@]}" update >&2 || die "apt-get update failed"
		as_root "${apt[@]}" install --no-install-recommends "$@" >&2 ||
			die "apt-get install $* failed"
	fi
}

# pg_bindir prints the folder holding initdb/pg_ctl/postgres, or fails.
# Prefers pg_config (it may point at a custom build), else the newest Debian
# install under /usr/lib/postgresql.
pg_bindir() {
	local dir
	if command -v pg_config >/dev/null 2>&1; then
		dir=$(pg_config --bindir 2>/dev/null) || dir=
		# pg_config can come from libpq-dev alone, without a server.
		if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
			printf '%s\n' "$dir"
			return 0
		fi
	fi
	dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
		printf '%s\n' "$dir"
		return 0
	fi
	return 1
}

# ensure_pg_bindir prints the PostgreSQL binaries folder, installing the
# Debian `postgresql` package first when there is none.
ensure_pg_bindir() {
	pg_bindir && return 0
	apt_install postgresql
	pg_bindir || die "postgresql was installed but no initdb/pg_ctl was found under /usr/lib/postgresql"
}
