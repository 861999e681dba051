#!/usr/bin/env bash
# Project-local PostgreSQL cluster for development and tests.
#
#   scripts/db.sh start    create/start the cluster if needed, ensure database
#                          "conpro" exists, print its URL on stdout
#   scripts/db.sh stop     stop the cluster
#   scripts/db.sh status   say whether it runs (exit 0) or not (exit 3)
#   scripts/db.sh url      print the URL without starting anything
#   scripts/db.sh psql ... start if needed and open psql on database conpro
#   scripts/db.sh destroy  stop the cluster and delete its data
#
# `start` prints only the connection string on stdout (messages go to
# stderr), so callers can do: DATABASE_URL="$(scripts/db.sh start)".
# When DATABASE_URL is already set, `start` prints it and does nothing else.
#
# The cluster lives in <checkout>/.data/pg and only listens on a Unix socket
# in /tmp/conpro-pg-<hash>, where <hash> is the first 12 hex digits of the
# sha256 of the checkout's absolute path; so several checkouts can each run
# their own cluster without clashing.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
HASH=$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
# A short socket folder of its own: socket paths are limited to 107 bytes,
# which a deep checkout path would exceed.
SOCKDIR=/tmp/conpro-pg-$HASH
# The port only names the socket file (.s.PGSQL.5432); nothing listens on TCP.
PORT=5432
DBNAME=conpro
URL="postgres://postgres@/$DBNAME?host=$SOCKDIR&port=$PORT&sslmode=disable"
FALLBACK_DATA=/var/tmp/conpro-pg-$HASH

# Postgres refuses to run as root: as root, run it as user postgres.
if [ "$(id -u)" -eq 0 ]; then
	PGUSER_OS=postgres
else
	PGUSER_OS=$(id -un)
fi

# as_pg CMD... runs CMD as the user that owns the cluster, from / (the
# postgres user may not be allowed into the current folder). fd 9 is our lock
# (see with_lock); it is closed so the server does not inherit and hold it.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && exec runuser -u "$PGUSER_OS" -- "$@") 9>&-
	else
		(cd / && exec "$@") 9>&-
	fi
}

ensure_pg_user() {
	[ "$(id -u)" -eq 0 ] || return 0
	id -u "$PGUSER_OS" >/dev/null 2>&1 && return 0
	say "creating system user $PGUSER_OS to run PostgreSQL"
	useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
		--shell /bin/bash "$PGUSER_OS"
}

# reachable DIR: can the cluster's user get into DIR (and so below it)?
reachable() {
	[ "$(id -u)" -eq 0 ] || return 0
	runuser -u "$PGUSER_OS" -- test -x "$1" 2>/dev/null
}

# resolve_data sets DATA to the cluster folder without creating anything:
# <checkout>/.data/pg, or, when running as root and user postgres cannot get
# into the checkout (e.g. a checkout under /root), FALLBACK_DATA.
resolve_data() {
	DATA=$ROOT/.data/pg
	if [ "$(id -u)" -eq 0 ]; then
		if ! reachable "$ROOT" || { [ -d "$ROOT/.data" ] && ! reachable "$ROOT/.data"; }; then
			DATA=$FALLBACK_DATA
		fi
	fi
}

# make_data creates the (empty) cluster folder, owned by the cluster's user.
make_data() {
	if [ "$DATA" = "$FALLBACK_DATA" ]; then
		install -d -m 0700 -o "$PGUSER_OS" -g "$(id -gn "$PGUSER_OS")" "$DATA"
		return
	fi
	[ -d "$ROOT/.data" ] || mkdir -m 0755 "$ROOT/.data"
	if [ ! -d "$DATA" ]; then
		mkdir -m 0700 "$DATA"
		if [ "$(id -u)" -eq 0 ]; then
			chown "$PGUSER_OS:$(id -gn "$PGUSER_OS")" "$DATA"
		fi
	fi
}

check_owner() {
	local owner
	owner=$(stat -c %U "$DATA")
	[ "$owner" = "$PGUSER_OS" ] ||
		die "$DATA belongs to user $owner, but the cluster would run as $PGUSER_OS; run this as $owner (or as root if it is postgres), or delete the folder"
}

# The socket folder is recreated on every start: /tmp may have been cleaned.
ensure_sockdir() {
	mkdir -m 0755 "$SOCKDIR" 2>/dev/null || [ -d "$SOCKDIR" ] ||
		die "cannot create $SOCKDIR"
	if [ "$(id -u)" -eq 0 ] && id -u "$PGUSER_OS" >/dev/null 2>&1; then
		chown "$PGUSER_OS:$(id -gn "$PGUSER_OS")" "$SOCKDIR"
	fi
	chmod 0755 "$SOCKDIR"
}

# Only one start/stop/destroy at a time per checkout (e.g. `make run` and
# `make test` started together must not both run initdb). The lock file sits
# in the socket folder rather than directly in /tmp, where another user's
# file could not be opened (fs.protected_regular).
with_lock() {
	ensure_sockdir
	exec 9>"$SOCKDIR/db.lock"
	flock -w 120 9 || die "timed out waiting for another scripts/db.sh on this checkout"
}

ready() {
	"$BIN/pg_isready" -q -h "$SOCKDIR" -p "$PORT" -d postgres -U postgres 2>/dev/null
}

# server_alive: postmaster.pid names a live process that is a postgres server.
# After a machine restart the pid in a stale postmaster.pid can belong to an
# unrelated process, which would make pg_ctl and postgres believe a server
# still runs; we check the process name to tell them apart.
server_alive() {
	local pid
	[ -f "$DATA/postmaster.pid" ] || return 1
	pid=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ] || return 1
	# A killed server can linger as a zombie until its parent reaps it.
	! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

init_cluster() {
	local locale=(--locale=C.UTF-8)
	if ! locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
		locale=(--no-locale)
	fi
	local out
	say "creating PostgreSQL cluster in $DATA"
	out=$(as_pg "$BIN/initdb" -D "$DATA" -U postgres --encoding=UTF8 "${locale[@]}" \
		--auth=trust 2>&1) || {
		printf '%s\n' "$out" >&2
		die "initdb failed"
	}

	# Only local socket connections, without password: this is a private
	# dev/test cluster whose socket lives in a folder of our own.
	as_pg tee "$DATA/pg_hba.conf" >/dev/null <<-'EOF'
		# TYPE  DATABASE  USER  METHOD
		# Private dev/test cluster reachable only through its Unix socket.
		local   all       all   trust
	EOF

	as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<-EOF

		# --- conpro dev cluster (added by scripts/db.sh) ---
		# Unix socket only. scripts/db.sh also passes the socket folder and
		# port when starting, so a moved checkout keeps working.
		listen_addresses = ''
		port = $PORT
		unix_socket_directories = '$SOCKDIR'
		unix_socket_permissions = 0777
		max_connections = 200
		# Throwaway dev/test cluster: trade crash safety for speed.
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		# Log to files under $DATA/log, one per weekday, overwritten weekly.
		logging_collector = on
		log_directory = 'log'
		log_filename = 'postgresql-%a.log'
		log_truncate_on_rotation = on
		log_rotation_age = 1d
		log_rotation_size = 0
	EOF
}

start_server() {
	if server_alive; then
		# A server runs but does not answer on the socket: it may still be
		# starting, or its socket was removed with /tmp. Give it a moment,
		# then restart it, which recreates the socket.
		for _ in 1 2 3 4 5 6 7 8; do
			ready && return 0
			sleep 0.25
		done
		say "PostgreSQL runs but does not answer on $SOCKDIR; restarting it"
		as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >&2 || true
	elif [ -f "$DATA/postmaster.pid" ]; then
		say "removing stale $DATA/postmaster.pid (left by a crash or a restart)"
		rm -f "$DATA/postmaster.pid" "$SOCKDIR/.s.PGSQL.$PORT" "$SOCKDIR/.s.PGSQL.$PORT.lock"
	fi
	say "starting PostgreSQL (log: $DATA/log)"
	if ! as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/startup.log" -w -t 60 \
		-o "-k $SOCKDIR -p $PORT" start >/dev/null; then
		tail -n 20 "$DATA/startup.log" >&2 || true
		die "PostgreSQL did not start; see $DATA/startup.log and $DATA/log/"
	fi
}

psql_admin() {
	"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKDIR" -p "$PORT" -U postgres -d postgres "$@"
}

ensure_database() {
	if [ "$(psql_admin -tAc "select 1 from pg_database where datname = '$DBNAME'")" != 1 ]; then
		say "creating database $DBNAME"
		psql_admin -c "create database $DBNAME" >/dev/null
	fi
}

cmd_start() {
	if [ -n "${DATABASE_URL:-}" ]; then
		printf '%s\n' "$DATABASE_URL"
		return 0
	fi
	BIN=$(ensure_pg_bindir) || exit 1
	ensure_pg_user
	with_lock
	resolve_data
	if ! ready; then
		if [ "$DATA" = "$FALLBACK_DATA" ]; then
			say "the checkout is not reachable by user $PGUSER_OS; the cluster lives in $DATA"
		fi
		[ -f "$DATA/PG_VERSION" ] || make_data
		check_owner
		[ -f "$DATA/PG_VERSION" ] || init_cluster
		start_server
	fi
	ensure_database
	printf '%s\n' "$URL"
}

cmd_stop() {
	BIN=$(pg_bindir) || die "no PostgreSQL binaries found"
	with_lock
	resolve_data
	if [ ! -f "$DATA/PG_VERSION" ]; then
		say "no cluster in $DATA"
		return 0
	fi
	if server_alive; then
		as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >&2
	else
		say "PostgreSQL is not running ($DATA)"
	fi
}

cmd_status() {
	resolve_data
	if [ ! -f "$DATA/PG_VERSION" ]; then
		echo "no cluster (would live in $DATA)"
		return 3
	fi
	BIN=$(pg_bindir) || die "no PostgreSQL binaries found"
	if ready; then
		echo "running: data $DATA, socket $SOCKDIR"
		echo "url: $URL"
		return 0
	fi
	if server_alive; then
		echo "server process runs but does not accept connections on $SOCKDIR (data $DATA)"
	else
		echo "stopped: data $DATA"
	fi
	return 3
}

cmd_destroy() {
	cmd_stop
	resolve_data
	# Guard the rm -rf: only ever our own two locations.
	case $DATA in
	"$ROOT/.data/pg" | "$FALLBACK_DATA") ;;
	*) die "refusing to delete unexpected folder $DATA" ;;
	esac
	if [ -d "$DATA" ]; then
		say "deleting $DATA"
		rm -rf -- "$DATA"
	fi
	rm -rf -- "$SOCKDIR"
}

cmd_psql() {
	local url
	url=$(env -u DATABASE_URL "$0" start) || exit 1
	BIN=$(pg_bindir) || die "no PostgreSQL binaries found"
	exec "$BIN/psql" "$url" "$@"
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
url) printf '%s\n' "$URL" ;;
psql) shift; cmd_psql "$@" ;;
destroy) cmd_destroy ;;
*)
	echo "usage: $0 start|stop|status|url|psql [args]|destroy" >&2
	exit 2
	;;
esac
