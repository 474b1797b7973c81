# Helpers the bench scripts share; sourced, never run. Each script keeps its own cleanup trap.

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

USED_PORTS=" "
# Sets $PORT to a loopback port nothing listens on (and not handed out before), below the
# ephemeral range (32768-60999), where wrk's own connections take ports.
free_port() {
  while :; do
    PORT=$((20000 + RANDOM % 12000))
    if [[ -z $(ss -Hltn "sport = :$PORT") && $USED_PORTS != *" $PORT "* ]]; then
      USED_PORTS+="$PORT "
      return
    fi
  done
}

# stop_launcher PID: stops a Keyport launcher (its shutdown hook stops Payara Micro, then
# PostgreSQL), and kills it and its Payara Micro if it has not gone within 30 s.
stop_launcher() {
  local launcher=$1 payara
  [[ -n $launcher ]] && kill -0 "$launcher" 2>/dev/null || return 0
  payara=$(pgrep -P "$launcher" || true)
  kill "$launcher" 2>/dev/null
  for _ in $(seq 60); do kill -0 "$launcher" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$launcher" 2>/dev/null; then
    # shellcheck disable=SC2086 # one pid a word
    kill -9 "$launcher" $payara 2>/dev/null
  fi
  return 0
}

# keep_or_remove WORK STATUS: keeps the work folder on failure or with BENCH_KEEP=1.
keep_or_remove() {
  if [[ ${BENCH_KEEP:-0} == 1 || $2 != 0 ]]; then log "work folder kept: $1"; else rm -rf "$1"; fi
}
