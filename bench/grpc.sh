#!/usr/bin/env bash
# The gRPC check benchmark: starts Keyport (embedded PostgreSQL + Payara Micro) with both the HTTP
# check listener (keyport.check.port) and the gRPC check (keyport.check.grpc-port) on loopback,
# and measures in one run, one cached key of plan unlimited:
#   (h) GET /auth/check/petstore/pets on the HTTP listener, wrk -t2 -c32
#   (g) Authorization/Check over gRPC, bench/GrpcLoad.java: 4 HTTP/2 connections, 32 unary calls
#       in flight (as many as wrk's connections)
# then the ratios g/h for requests/s (goal >= 0.80) and p99 (goal <= 1.5x).
#
# Usage: bench/grpc.sh   (builds target/ first if the WAR is missing)
# Environment: BENCH_DURATION (15), BENCH_WARMUP (10), BENCH_SERVER_WARMUP (20),
#   BENCH_GRPC_CONNECTIONS (4), BENCH_IN_FLIGHT (32), BENCH_KEEP=1 to keep the work folder.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-10}
SERVER_WARMUP=${BENCH_SERVER_WARMUP:-20}
GRPC_CONNECTIONS=${BENCH_GRPC_CONNECTIONS:-4}
IN_FLIGHT=${BENCH_IN_FLIGHT:-32}
log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
command -v wrk >/dev/null || die "wrk is required (Debian package wrk)"
command -v curl >/dev/null || die "curl is required"

cd "$ROOT"
if [[ ! -f target/keyport.war || ! -f target/payara-micro.jar ]]; then
  log "building: mvn -B -q -DskipTests package"
  mvn -B -q -DskipTests package >&2
fi
CLASSPATH_FILE=target/bench-classpath.txt
if [[ ! -s $CLASSPATH_FILE || pom.xml -nt $CLASSPATH_FILE ]]; then
  mvn -B -q dependency:build-classpath -Dmdep.includeScope=compile \
    -Dmdep.outputFile="$CLASSPATH_FILE" >&2
fi
DEPS=$(cat "$CLASSPATH_FILE")

WORK=$(mktemp -d /tmp/keyport-bench-grpc.XXXXXX)
cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  if [[ -n ${LAUNCHER:-} ]] && kill -0 "$LAUNCHER" 2>/dev/null; then
    kill "$LAUNCHER" # its shutdown hook stops Payara Micro, then PostgreSQL
    for _ in $(seq 60); do kill -0 "$LAUNCHER" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$LAUNCHER" 2>/dev/null && kill -9 "$LAUNCHER"
  fi
  wait 2>/dev/null
  if [[ ${BENCH_KEEP:-0} == 1 || $status != 0 ]]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

USED_PORTS=" "
free_port() {
  while :; do
    PORT=$((20000 + RANDOM % 20000))
    if [[ -z $(ss -Hltn "sport = :$PORT") && $USED_PORTS != *" $PORT "* ]]; then
      USED_PORTS+="$PORT "
      return
    fi
  done
}
free_port && HTTP_PORT=$PORT
free_port && CHECK_PORT=$PORT
free_port && GRPC_PORT=$PORT

mkdir -p "$WORK/payara"
cp payara/pre-boot-commands.asadmin payara/post-boot-commands.asadmin "$WORK/payara/"
echo 'set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1' \
  >>"$WORK/payara/post-boot-commands.asadmin"
log "starting Keyport: portal :$HTTP_PORT, HTTP check :$CHECK_PORT, gRPC check :$GRPC_PORT (log: $WORK/keyport.log)"
env KEYPORT_HTTP_PORT=$HTTP_PORT KEYPORT_DATA_DIR="$WORK/data" \
  KEYPORT_KEYS_HMAC_SECRET="$(head -c 33 /dev/urandom | base64 | tr -d '/+=\n')" \
  KEYPORT_CHECK_PORT=$CHECK_PORT KEYPORT_CHECK_GRPC_PORT=$GRPC_PORT KEYPORT_CHECK_BIND_ADDRESS=127.0.0.1 \
  KEYPORT_JAVA_OPTS=${KEYPORT_JAVA_OPTS:--Xmx1g} \
  java -Xmx256m -cp "target/classes:$DEPS" io.keyport.platform.launcher.Launcher \
  target/payara-micro.jar target/keyport.war "$WORK/payara" >"$WORK/keyport.log" 2>&1 &
LAUNCHER=$!
PORTAL=http://127.0.0.1:$HTTP_PORT
for i in $(seq 400); do
  kill -0 "$LAUNCHER" 2>/dev/null || die "Keyport stopped while starting; see $WORK/keyport.log"
  [[ $(curl -s -m 10 -o /dev/null -w '%{http_code}' "$PORTAL/ping" || true) == 204 ]] && break
  ((i < 400)) || die "Keyport did not answer /ping within 400 s"
  sleep 1
done
created=$(curl -sS -m 10 -u dev@example.com:dev -H 'Content-Type: application/json' \
  -d '{"apiKeyName":"bench-grpc","apiProduct":"petstore","usagePlan":"unlimited"}' "$PORTAL/api/v1/api-keys")
KEY=$(sed -n 's/.*"apiKey":"\([^"]*\)".*/\1/p' <<<"$created")
[[ -n $KEY ]] || die "could not create a key: $created"
URL=http://127.0.0.1:$CHECK_PORT/auth/check/petstore/pets
[[ $(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "api-key: $KEY" "$URL") == 200 ]] || die "the listener refused the key"

grpc_load() { # warmup seconds, measured seconds
  java -cp "$DEPS" bench/GrpcLoad.java 127.0.0.1 "$GRPC_PORT" "$KEY" "$GRPC_CONNECTIONS" "$IN_FLIGHT" "$1" "$2"
}
log "warming the JVM: ${SERVER_WARMUP}s on each front"
wrk -t2 -c32 -d"${SERVER_WARMUP}s" -H "api-key: $KEY" "$URL" >/dev/null
grpc_load 1 "$SERVER_WARMUP" >/dev/null

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "(h) HTTP listener: warm-up ${WARMUP}s, then ${DURATION}s"
wrk -t2 -c32 -d"${WARMUP}s" -H "api-key: $KEY" "$URL" >/dev/null
wrk -t2 -c32 -d"${DURATION}s" --latency --timeout 2s -s bench/report.lua -H "api-key: $KEY" "$URL" >"$WORK/wrk.txt"
log "(g) gRPC: ${GRPC_CONNECTIONS} connections, ${IN_FLIGHT} calls in flight, warm-up ${WARMUP}s, then ${DURATION}s"
grpc_load "$WARMUP" "$DURATION" >"$WORK/grpc.txt"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

field() { sed -n "/^BENCH /s/.*[[:space:]]$1=\([^ ]*\).*/\1/p" "$2"; }
H_RPS=$(field rps "$WORK/wrk.txt"); H_P50=$(field p50_ms "$WORK/wrk.txt"); H_P99=$(field p99_ms "$WORK/wrk.txt")
G_RPS=$(field rps "$WORK/grpc.txt"); G_P50=$(field p50_ms "$WORK/grpc.txt"); G_P99=$(field p99_ms "$WORK/grpc.txt")
[[ -n $H_RPS && -n $G_RPS ]] || die "no summary: $(cat "$WORK/wrk.txt" "$WORK/grpc.txt")"
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", (y > 0 ? x / y : 0) }'; }
RPS_RATIO=$(ratio "$G_RPS" "$H_RPS"); P99_RATIO=$(ratio "$G_P99" "$H_P99")
printf '\nKeyport gRPC check vs HTTP listener, %s cores, %s; load before %s, after %s\n' \
  "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)" "$LOAD_BEFORE" "$LOAD_AFTER"
printf '%-58s %12s %9s %9s\n' run requests/s "p50 ms" "p99 ms"
printf '%-58s %12.0f %9.3f %9.3f\n' "(h) HTTP listener, wrk -t2 -c32" "$H_RPS" "$H_P50" "$H_P99"
printf '%-58s %12.0f %9.3f %9.3f   %s\n' "(g) gRPC, $GRPC_CONNECTIONS connections x $IN_FLIGHT in flight" \
  "$G_RPS" "$G_P50" "$G_P99" "not OK $(field not_ok "$WORK/grpc.txt"), errors $(field errors "$WORK/grpc.txt")"
printf '\ng/h requests/s %s (goal >= 0.80 %s)   g/h p99 %s (goal <= 1.50 %s)\n' \
  "$RPS_RATIO" "$(awk -v v="$RPS_RATIO" 'BEGIN{print (v >= 0.8 ? "PASS" : "MISS")}')" \
  "$P99_RATIO" "$(awk -v v="$P99_RATIO" 'BEGIN{print (v <= 1.5 ? "PASS" : "MISS")}')"
