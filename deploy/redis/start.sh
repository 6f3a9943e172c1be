#!/bin/sh
# start.sh master|replica|sentinel — renders that role's Redis config from
# the templates beside this script and runs it (exec). The same script and
# templates run in the compose topology (defaults below) and natively in
# tests/deploy/topology.test.mjs (every setting from the environment):
#   REDIS_PORT           6379, 26379 for a sentinel
#   REDIS_BIND           0.0.0.0
#   REDIS_DIR            /data (the rendered config lives there too)
#   REDIS_ANNOUNCE       the name others reach this node by (the compose
#                        service name; default: the hostname)
#   REDIS_MASTER_HOST    redis-master       (replica, sentinel)
#   REDIS_MASTER_PORT    6379               (replica, sentinel)
#   REDIS_PASSWORD_FILE  /run/secrets/redis_password
#   REDIS_SERVER         redis-server
# The password must be 16 to 512 characters of A-Z a-z 0-9 . _ ~ + / = -
# (e.g. `openssl rand -hex 32`); anything else is refused.
set -eu

die() {
	echo "start.sh: $*" >&2
	exit 2
}

role=${1:-}
case $role in
master|replica) template=redis.conf; port=${REDIS_PORT:-6379} ;;
sentinel) template=sentinel.conf; port=${REDIS_PORT:-26379} ;;
*) die "usage: start.sh master|replica|sentinel" ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
bind=${REDIS_BIND:-0.0.0.0}
dir=${REDIS_DIR:-/data}
announce=${REDIS_ANNOUNCE:-$(hostname)}
master_host=${REDIS_MASTER_HOST:-redis-master}
master_port=${REDIS_MASTER_PORT:-6379}
pwfile=${REDIS_PASSWORD_FILE:-/run/secrets/redis_password}

# Values that go into the config: names, addresses and numbers only.
for v in "$port" "$bind" "$dir" "$announce" "$master_host" "$master_port"; do
	case $v in
	''|*[!A-Za-z0-9._:/-]*) die "refusing the setting '$v'" ;;
	esac
done

[ -r "$pwfile" ] || die "cannot read the password file $pwfile"
pw=$(cat "$pwfile")
case $pw in
*[!A-Za-z0-9._~+/=-]*) die "the password holds characters other than A-Z a-z 0-9 . _ ~ + / = -" ;;
esac
[ ${#pw} -ge 16 ] && [ ${#pw} -le 512 ] || die "the password must be 16 to 512 characters"

# Render once: later starts keep what Redis or Sentinel rewrote (the
# current master after a failover) and only put in the password again.
conf=$dir/$role.conf
umask 077
if [ ! -s "$conf" ]; then
	sed -e "s|@PORT@|$port|g" -e "s|@BIND@|$bind|g" -e "s|@DIR@|$dir|g" \
	    -e "s|@ANNOUNCE@|$announce|g" -e "s|@MASTER_HOST@|$master_host|g" \
	    -e "s|@MASTER_PORT@|$master_port|g" "$here/$template" >"$conf.new"
	if [ "$role" = replica ]; then
		echo "replicaof $master_host $master_port" >>"$conf.new"
	fi
else
	grep -v -E '^(requirepass|masterauth|sentinel auth-pass) ' "$conf" \
		>"$conf.new" || true
fi
case $role in
sentinel) printf 'sentinel auth-pass liveblog "%s"\n' "$pw" ;;
*) printf 'requirepass "%s"\nmasterauth "%s"\n' "$pw" "$pw" ;;
esac >>"$conf.new"
mv "$conf.new" "$conf"
if [ "$role" = sentinel ]; then
	exec "${REDIS_SERVER:-redis-server}" "$conf" --sentinel
fi
exec "${REDIS_SERVER:-redis-server}" "$conf"
