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

# Builds target/ if the WAR or Payara Micro is missing (or BENCH_BUILD=1), and sets DEPS to the
# compile classpath the launcher runs on (kept in target/bench-classpath.txt until pom.xml changes).
build_and_classpath() {
  if [[ ${BENCH_BUILD:-0} == 1 || ! -f target/keyport.war || ! -f target/payara-micro.jar ]]; then
    log "building: mvn -B -q -DskipTests package"
    mvn -B -q -DskipTests package >&2
  fi
  CLASSPATH_FILE=target/bench-classpath.txt
  if [[ ! -s $CLASSPATH_FILE || pom.xml -nt $CLASSPATH_FILE ]]; then
    mvn -B -q dependency:build-classpath -Dmdep.includeScope=compile \
      -Dmdep.outputFile="$CLASSPATH_FILE" >&2
  fi
  DEPS=$(cat "$CLASSPATH_FILE")
}

# On exit, however the script ends: the script's own stop_servers, then the work folder kept or
# removed (keep_or_remove), with the script's exit status kept.
cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  stop_servers
  wait 2>/dev/null
  keep_or_remove "$WORK" "$status"
  exit "$status"
}
arm_cleanup() {
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

# await_portal PORTAL PID: waits up to 400 s for Keyport's /ping, failing if the launcher stops.
await_portal() {
  local portal=$1 launcher=$2 i
  for i in $(seq 400); do
    kill -0 "$launcher" 2>/dev/null || die "Keyport stopped while starting; see $WORK/keyport.log"
    [[ $(curl -s -m 10 -o /dev/null -w '%{http_code}' "$portal/ping" || true) == 204 ]] && return
    ((i < 400)) || die "Keyport did not answer /ping within 400 s; see $WORK/keyport.log"
    sleep 1
  done
}

# create_key PORTAL NAME: sets KEY to a new key of the demo developer's on petstore, plan unlimited.
create_key() {
  local created
  created=$(curl -sS -m 10 -u dev@example.com:dev -H 'Content-Type: application/json' \
    -d "{\"apiKeyName\":\"$2\",\"apiProduct\":\"petstore\",\"usagePlan\":\"unlimited\"}" "$1/api/v1/api-keys")
  KEY=$(sed -n 's/.*"apiKey":"\([^"]*\)".*/\1/p' <<<"$created")
  [[ -n $KEY ]] || die "could not create a key: $created"
}
