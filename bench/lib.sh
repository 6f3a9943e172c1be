# lib.sh — shell helpers shared by bench/compare.sh and bench/instances.sh
# (sourced; the caller defines say() first).

# A free loopback port below the ephemeral range (readers' ports live there).
free_port() {
	while :; do
		p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 10000 ))
		if ! ss -Htln "sport = :$p" | grep -q .; then
			echo "$p"
			return
		fi
	done
}

wait_http() { # URL: up to 10 s for any HTTP answer
	i=0
	while [ $i -lt 100 ]; do
		curl -s -o /dev/null -m 1 "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	say "no answer from $1"
	return 1
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# Waits while the 1-minute load is above MAX (other people's work), at most
# WAIT seconds. wait_load MAX WAIT
wait_load() {
	waited=0
	while awk -v m="$1" '{ exit !($1 > m) }' /proc/loadavg && [ $waited -lt "$2" ]; do
		say "load $(load1) > $1, waiting ($waited s so far)"
		sleep 60
		waited=$((waited + 60))
	done
}

# Stops the processes PID...: SIGTERM, then SIGKILL after 5 s (said: a
# server that ignores SIGTERM is a finding, not noise).
stop_pids() {
	for p in "$@"; do kill "$p" 2>/dev/null || true; done
	for p in "$@"; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		if kill -0 "$p" 2>/dev/null; then
			say "pid $p still running 5 s after SIGTERM: killed (SIGKILL)"
			kill -9 "$p" 2>/dev/null || true
		fi
	done
}
