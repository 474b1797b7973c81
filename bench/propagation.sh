#!/usr/bin/env bash
# Revocation propagation between two Keyport nodes over one PostgreSQL: node A runs the embedded
# default, node B uses A's database and secret. Deletes 100 keys on A while polling B's check;
# prints p50/p99/max. Usage: bench/propagation.sh [count]   (loopback only)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100}"
work=$(mktemp -d /tmp/keyport-propagation.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

[ -f target/keyport.war ] || mvn -B -q -ntp -DskipTests package
mvn -B -q -ntp dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$work/cp" >/dev/null
cp="target/classes:$(cat "$work/cp")"
port_a=$((20000 + RANDOM % 5000)); port_b=$((port_a + 1))

wait_ready() {
  for _ in $(seq 1 240); do
    curl -sf -o /dev/null "http://127.0.0.1:$1/ping" && return 0
    sleep 1
  done
  echo "node on port $1 did not start; see $2" >&2; exit 1
}

KEYPORT_HTTP_PORT=$port_a KEYPORT_DATA_DIR="$work/a" \
  java -cp "$cp" io.keyport.platform.launcher.Launcher target/payara-micro.jar target/keyport.war payara \
  >"$work/a.log" 2>&1 &
pids+=($!)
wait_ready "$port_a" "$work/a.log"
db_url=$(grep -o 'jdbc:postgresql://[^ ]*' "$work/a.log" | head -1)

KEYPORT_HTTP_PORT=$port_b KEYPORT_DATA_DIR="$work/b" KEYPORT_DB_URL="$db_url" \
  KEYPORT_DB_USER=postgres KEYPORT_DB_PASSWORD=postgres \
  KEYPORT_KEYS_HMAC_SECRET="$(cat "$work/a/hmac-secret")" \
  java -cp "$cp" io.keyport.platform.launcher.Launcher target/payara-micro.jar target/keyport.war payara \
  >"$work/b.log" 2>&1 &
pids+=($!)
wait_ready "$port_b" "$work/b.log"

java bench/Propagation.java "http://127.0.0.1:$port_a" "http://127.0.0.1:$port_b" "$count"
