#!/usr/bin/env bash
# Installs what `make bench` needs besides the test dependencies, when it is
# missing:
#   - wrk, the load generator;
#   - nginx, the static-file baseline. The bench runs it itself, in the
#     foreground with a config of its own on a loopback port; the package's
#     system service is kept from starting (and disabled) so that nothing
#     listens on port 80 afterwards.
# Silent when everything is present; apt's output is shown only on failure.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
nginx_bin() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }; }
nginx_bin >/dev/null || missing+=(nginx)
[ "${#missing[@]}" -eq 0 ] && exit 0

# Debian starts a package's service at install unless policy-rc.d says no
# (exit 101). Put one in place for the install when there is none.
policy=/usr/sbin/policy-rc.d
added_policy=
if [ ! -e "$policy" ] && can_be_root; then
	as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy"
	added_policy=1
fi
cleanup() {
	if [ -n "$added_policy" ]; then as_root rm -f "$policy" || true; fi
	rm -f "${log:-}"
}
trap cleanup EXIT

say "installing ${missing[*]} for the bench"
log=$(mktemp)
if ! apt_install "${missing[@]}" 2>"$log"; then
	cat "$log" >&2
	die "could not install ${missing[*]}"
fi

# Should a service manager have started nginx anyway, stop it and keep it off.
if [[ " ${missing[*]} " == *" nginx "* ]] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	as_root systemctl disable --now nginx >/dev/null 2>&1 || true
fi

command -v wrk >/dev/null 2>&1 || die "wrk is still not on PATH after installing it"
nginx_bin >/dev/null || die "nginx is still not installed"
