#!/usr/bin/env bash
# The hot-path benchmark: starts Keyport (embedded PostgreSQL + Payara Micro) with both the HTTP
# check listener (keyport.check.port) and the gRPC check (keyport.check.grpc-port) on loopback,
# and nginx, and measures in one run, one cached key of plan unlimited:
#   (n) nginx "return 200", wrk -t2 -c32
#   (h) GET /auth/check/petstore/pets on the HTTP listener, wrk -t2 -c32
#   (g) Authorization/Check over gRPC, bench/GrpcLoad.java: 4 HTTP/2 connections, 32 unary calls
#       in flight (as many as wrk's connections)
#   (g2) the same calls from h2load (nghttp2's C load generator, as wrk is for HTTP/1.1): the same
#       4 connections x 8 streams, the CheckRequest written once by GrpcLoad's "frame" mode. h2load
#       sees HTTP statuses only, so the run counts as passed only if Keyport's own
#       keyport_check_decisions_total{front="grpc"} grew by "allowed" answers alone.
# then h/n (issue 17: requests/s >= 0.80, p99 <= 1.5x) and g2/h, and g/h (issue 14: requests/s
# >= 0.80, p99 <= 1.5x): g2/h measures the server, g/h the server and a Java client's cost.
# Beside each run, the CPU the server spent per answer (from /proc, Keyport's own count of
# decisions): what each front costs the server whoever the client is.
#
# Fairness: by default (BENCH_PIN=1) the servers (Keyport's JVMs, PostgreSQL, nginx) run on CPU 0
# and the load generators (wrk and GrpcLoad alike) on CPU 1, with taskset, so a client that costs
# more CPU per call does not take it from the server it measures. BENCH_PIN=0 lets everything
# share both CPUs, as before.
#
# Usage: bench/grpc.sh   (builds target/ first if the WAR is missing)
# Environment: BENCH_DURATION (15), BENCH_WARMUP (10), BENCH_SERVER_WARMUP (20),
#   BENCH_GRPC_CONNECTIONS (4), BENCH_IN_FLIGHT (32), BENCH_PIN (1), BENCH_KEEP=1 to keep the work
#   folder; BENCH_PROFILE=<folder> to profile Keyport afterwards (async-profiler from Maven Central,
#   attached by pid) under each load for BENCH_PROFILE_SECONDS (15), cpu and alloc: writes
#   <folder>/{h,g}-{cpu,alloc}.collapsed and prints each profile's top self frames.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-10}
SERVER_WARMUP=${BENCH_SERVER_WARMUP:-20}
GRPC_CONNECTIONS=${BENCH_GRPC_CONNECTIONS:-4}
IN_FLIGHT=${BENCH_IN_FLIGHT:-32}
PIN=${BENCH_PIN:-1}
PROFILE=${BENCH_PROFILE:-}
PROFILE_SECONDS=${BENCH_PROFILE_SECONDS:-15}
log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
command -v wrk >/dev/null || die "wrk is required (Debian package wrk)"
command -v curl >/dev/null || die "curl is required"
command -v h2load >/dev/null || die "h2load is required (Debian package nghttp2-client)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || die "nginx is required (Debian package nginx)"
SERVER=() CLIENT=()
if [[ $PIN == 1 ]]; then
  (($(nproc) >= 2)) || die "BENCH_PIN=1 needs 2 CPUs; use BENCH_PIN=0"
  command -v taskset >/dev/null || die "taskset is required for BENCH_PIN=1 (Debian package util-linux)"
  SERVER=(taskset -c 0) CLIENT=(taskset -c 1)
fi

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
  [[ -f $WORK/nginx/nginx.pid ]] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null
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
free_port && NGINX_PORT=$PORT

mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { return 200; }
  }
}
CONF
"${SERVER[@]}" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" ||
  die "nginx did not start (see $WORK/nginx/error.log)"

mkdir -p "$WORK/payara"
cp payara/pre-boot-commands.asadmin payara/post-boot-commands.asadmin "$WORK/payara/"
echo 'set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1' \
  >>"$WORK/payara/post-boot-commands.asadmin"
log "starting Keyport: portal :$HTTP_PORT, HTTP check :$CHECK_PORT, gRPC check :$GRPC_PORT (log: $WORK/keyport.log)"
env KEYPORT_HTTP_PORT=$HTTP_PORT KEYPORT_DATA_DIR="$WORK/data" \
  KEYPORT_KEYS_HMAC_SECRET="$(head -c 33 /dev/urandom | base64 | tr -d '/+=\n')" \
  KEYPORT_CHECK_PORT=$CHECK_PORT KEYPORT_CHECK_GRPC_PORT=$GRPC_PORT KEYPORT_CHECK_BIND_ADDRESS=127.0.0.1 \
  KEYPORT_JAVA_OPTS=${KEYPORT_JAVA_OPTS:--Xmx1g} \
  "${SERVER[@]}" java -Xmx256m -cp "target/classes:$DEPS" io.keyport.platform.launcher.Launcher \
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
  "${CLIENT[@]}" java -cp "$DEPS" bench/GrpcLoad.java 127.0.0.1 "$GRPC_PORT" "$KEY" \
    "$GRPC_CONNECTIONS" "$IN_FLIGHT" "$1" "$2"
}
wrk_load() { # seconds, url, wrk options...
  local seconds=$1 url=$2
  shift 2
  "${CLIENT[@]}" wrk -t2 -c32 -d"${seconds}s" "$@" "$url"
}
NGINX_URL=http://127.0.0.1:$NGINX_PORT/
PAYARA=$(pgrep -P "$LAUNCHER" java | head -1)
[[ -n $PAYARA ]] || die "Payara Micro's JVM (a child of the launcher, $LAUNCHER) not found"
NGINX_MASTER=$(cat "$WORK/nginx/nginx.pid")
# Keyport's count of decisions on front $1 with outcome "allowed", or with $2 = other, every other.
decisions() {
  curl -sS -m 10 "$PORTAL/metrics" | awk -v front="front=\"$1\"" -v want="${2:-allowed}" '
    /^keyport_check_decisions_total\{/ && index($0, front) {
      allowed = /outcome="allowed"/; if ((want == "allowed") == allowed) n += $NF }
    END { printf "%.0f", n }'
}
# CPU seconds the servers used so far: Payara's JVM, and nginx's master and workers.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ t += $14 + $15 } END { printf "%.2f", t / hz }' "$@"; }
keyport_cpu() { cpu_of "/proc/$PAYARA/stat"; }
nginx_cpu() { cpu_of "/proc/$NGINX_MASTER/stat" $(pgrep -P "$NGINX_MASTER" | sed 's|.*|/proc/&/stat|'); }
# cpu_mark RUN, before and after a run: the server's CPU microseconds per answer in between, in
# CPU_US[RUN]. Keyport's answers are its own count of decisions (warm-up calls included, as in its
# CPU); nginx's are wrk's requests of that run.
declare -A CPU_AT=() CALLS_AT=() CPU_US=()
cpu_mark() {
  local run=$1 cpu calls
  case $run in
    n) cpu=$(nginx_cpu) calls=0 ;;
    h) cpu=$(keyport_cpu) calls=$(decisions listener) ;;
    g | g2) cpu=$(keyport_cpu) calls=$(decisions grpc) ;;
  esac
  if [[ -z ${CPU_AT[$run]:-} ]]; then
    CPU_AT[$run]=$cpu CALLS_AT[$run]=$calls
    return
  fi
  [[ $run == n ]] && calls=$(sed -n 's/^BENCH requests=\([0-9]*\).*/\1/p' "$WORK/nginx.txt") CALLS_AT[n]=0
  CPU_US[$run]=$(awk -v c="$cpu" -v c0="${CPU_AT[$run]}" -v n="$calls" -v n0="${CALLS_AT[$run]}" \
    'BEGIN { printf "%.1f", (n > n0 ? (c - c0) * 1e6 / (n - n0) : 0) }')
}
log "warming the JVM: ${SERVER_WARMUP}s on each front"
wrk_load "$SERVER_WARMUP" "$URL" -H "api-key: $KEY" >/dev/null
grpc_load 1 "$SERVER_WARMUP" >/dev/null

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "(n) nginx: warm-up ${WARMUP}s, then ${DURATION}s"
wrk_load "$WARMUP" "$NGINX_URL" >/dev/null
cpu_mark n
wrk_load "$DURATION" "$NGINX_URL" --latency --timeout 2s -s bench/report.lua >"$WORK/nginx.txt"
cpu_mark n
log "(h) HTTP listener: warm-up ${WARMUP}s, then ${DURATION}s"
wrk_load "$WARMUP" "$URL" -H "api-key: $KEY" >/dev/null
cpu_mark h
wrk_load "$DURATION" "$URL" --latency --timeout 2s -s bench/report.lua -H "api-key: $KEY" >"$WORK/wrk.txt"
cpu_mark h
log "(g) gRPC: ${GRPC_CONNECTIONS} connections, ${IN_FLIGHT} calls in flight, warm-up ${WARMUP}s, then ${DURATION}s"
cpu_mark g
grpc_load "$WARMUP" "$DURATION" >"$WORK/grpc.txt"
cpu_mark g
GRPC_PATH=/envoy.service.auth.v3.Authorization/Check
java -cp "$DEPS" bench/GrpcLoad.java frame "$KEY" "$WORK/check-request.bin"
log "(g2) gRPC from h2load: $GRPC_CONNECTIONS connections x $((IN_FLIGHT / GRPC_CONNECTIONS)) streams, warm-up ${WARMUP}s, then ${DURATION}s"
OTHER_BEFORE=$(decisions grpc other)
cpu_mark g2
"${CLIENT[@]}" h2load -t1 -c"$GRPC_CONNECTIONS" -m$((IN_FLIGHT / GRPC_CONNECTIONS)) \
  --warm-up-time="${WARMUP}s" -D "${DURATION}s" -d "$WORK/check-request.bin" \
  -H 'content-type: application/grpc' -H 'te: trailers' --log-file="$WORK/h2load-requests.tsv" \
  "http://127.0.0.1:$GRPC_PORT$GRPC_PATH" >"$WORK/h2load.txt"
cpu_mark g2
OTHER_AFTER=$(decisions grpc other)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

field() { sed -n "/^BENCH /s/.*[[:space:]]$1=\([^ ]*\).*/\1/p" "$2"; }
N_RPS=$(field rps "$WORK/nginx.txt"); N_P50=$(field p50_ms "$WORK/nginx.txt"); N_P99=$(field p99_ms "$WORK/nginx.txt")
H_RPS=$(field rps "$WORK/wrk.txt"); H_P50=$(field p50_ms "$WORK/wrk.txt"); H_P99=$(field p99_ms "$WORK/wrk.txt")
G_RPS=$(field rps "$WORK/grpc.txt"); G_P50=$(field p50_ms "$WORK/grpc.txt"); G_P99=$(field p99_ms "$WORK/grpc.txt")
# h2load: "finished in 15.00s, 123456.78 req/s, ..."; its log's third column is each call's
# microseconds (warm-up calls are not in it).
G2_RPS=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$WORK/h2load.txt")
read -r G2_P50 G2_P99 < <(cut -f3 "$WORK/h2load-requests.tsv" | sort -n |
  awk '{ v[NR] = $1 } END { if (NR) printf "%.3f %.3f\n", v[int(NR * 0.5) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000 }')
G2_FAILED=$(sed -n 's/^requests: .* \([0-9]*\) failed, \([0-9]*\) errored.*/\1+\2/p' "$WORK/h2load.txt")
[[ -n $G2_RPS && -n $G2_P99 ]] || die "no h2load summary: $(cat "$WORK/h2load.txt")"
[[ $((G2_FAILED)) == 0 && $OTHER_AFTER == "$OTHER_BEFORE" ]] ||
  die "gRPC answers other than OK under h2load (failed+errored $G2_FAILED, denials $((OTHER_AFTER - OTHER_BEFORE))): $(cat "$WORK/h2load.txt")"
[[ -n $N_RPS && -n $H_RPS && -n $G_RPS ]] || die "no summary: $(cat "$WORK/nginx.txt" "$WORK/wrk.txt" "$WORK/grpc.txt")"
[[ $(field non2xx "$WORK/wrk.txt") == 0 ]] || die "the listener answered non-2xx under load: $(cat "$WORK/wrk.txt")"
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", (y > 0 ? x / y : 0) }'; }
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = (dir == "ge" ? v >= t : v <= t); print (ok ? "PASS" : "MISS") }'; }
HN_RPS=$(ratio "$H_RPS" "$N_RPS"); HN_P99=$(ratio "$H_P99" "$N_P99")
GH_RPS=$(ratio "$G_RPS" "$H_RPS"); GH_P99=$(ratio "$G_P99" "$H_P99")
G2H_RPS=$(ratio "$G2_RPS" "$H_RPS"); G2H_P99=$(ratio "$G2_P99" "$H_P99")
if [[ $PIN == 1 ]]; then
  PLACES="servers on CPU 0, load generators on CPU 1 (taskset)"
else
  PLACES="servers and load generators sharing all CPUs"
fi
printf '\nKeyport hot path, %s cores, %s; %s; load before %s, after %s\n' \
  "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)" "$PLACES" "$LOAD_BEFORE" "$LOAD_AFTER"
printf '%-58s %12s %9s %9s %14s\n' run requests/s "p50 ms" "p99 ms" "server CPU us"
printf '%-58s %12.0f %9.3f %9.3f %14s\n' "(n) nginx return 200, wrk -t2 -c32" "$N_RPS" "$N_P50" "$N_P99" "${CPU_US[n]}"
printf '%-58s %12.0f %9.3f %9.3f %14s\n' "(h) HTTP listener, wrk -t2 -c32" "$H_RPS" "$H_P50" "$H_P99" "${CPU_US[h]}"
printf '%-58s %12.0f %9.3f %9.3f %14s   %s\n' "(g) gRPC, GrpcLoad, $GRPC_CONNECTIONS connections x $IN_FLIGHT in flight" \
  "$G_RPS" "$G_P50" "$G_P99" "${CPU_US[g]}" "not OK $(field not_ok "$WORK/grpc.txt"), errors $(field errors "$WORK/grpc.txt")"
printf '%-58s %12.0f %9.3f %9.3f %14s   %s\n' "(g2) gRPC, h2load, $GRPC_CONNECTIONS connections x $((IN_FLIGHT / GRPC_CONNECTIONS)) streams" \
  "$G2_RPS" "$G2_P50" "$G2_P99" "${CPU_US[g2]}" "all OK (Keyport counted no denial)"
printf '(server CPU us: microseconds of CPU the server spent per answer, read from /proc)\n' 
printf '\nh/n requests/s %s (goal >= 0.80 %s)   h/n p99 %s (goal <= 1.50 %s)\n' \
  "$HN_RPS" "$(verdict "$HN_RPS" 0.8 ge)" "$HN_P99" "$(verdict "$HN_P99" 1.5 le)"
printf 'g2/h requests/s %s (goal >= 0.80 %s)   g2/h p99 %s (goal <= 1.50 %s)   (h2load: the server)\n' \
  "$G2H_RPS" "$(verdict "$G2H_RPS" 0.8 ge)" "$G2H_P99" "$(verdict "$G2H_P99" 1.5 le)"
printf 'g/h requests/s %s (goal >= 0.80 %s)   g/h p99 %s (goal <= 1.50 %s)   (GrpcLoad: server and Java client)\n' \
  "$GH_RPS" "$(verdict "$GH_RPS" 0.8 ge)" "$GH_P99" "$(verdict "$GH_P99" 1.5 le)"

printf 'server CPU per call: g2/h %s (the gRPC check costs the server this many times the listener)\n' \
  "$(ratio "${CPU_US[g2]}" "${CPU_US[h]}")"

# --- BENCH_PROFILE: where Keyport spends its CPU and allocates, under each load --------------------
[[ -n $PROFILE ]] || exit 0
mkdir -p "$PROFILE"
PROFILE=$(cd "$PROFILE" && pwd)
PROFILER_JAR=$HOME/.m2/repository/tools/profiler/async-profiler/4.0/async-profiler-4.0.jar
[[ -f $PROFILER_JAR ]] ||
  mvn -B -q -ntp dependency:get -Dartifact=tools.profiler:async-profiler:4.0 >&2 ||
  die "could not fetch tools.profiler:async-profiler:4.0 from Maven Central"
(cd "$WORK" && unzip -qo "$PROFILER_JAR" linux-x64/libasyncProfiler.so)
LIB=$WORK/linux-x64/libasyncProfiler.so
# jcmd reads key=value pairs itself: the agent's options go quoted, as one value.
profiler() {
  jcmd "$PAYARA" JVMTI.agent_load "$LIB" "\"$1\"" >"$WORK/profiler.txt" 2>&1 &&
    grep -q 'return code: 0' "$WORK/profiler.txt" || die "async-profiler $1: $(cat "$WORK/profiler.txt")"
}
# The frames a profile spends most samples in (self), from its collapsed stacks.
top_frames() {
  awk '{ n = $NF; sub(/ [0-9]+$/, ""); k = split($0, f, ";"); self[f[k]] += n; total += n }
    END { for (x in self) printf "%6.2f%%  %s\n", 100 * self[x] / total, x }' "$1" | sort -rn | head -"${2:-15}" || true # head closing early is not a failure
}
for front in h g; do
  for event in cpu alloc; do
    out=$PROFILE/$front-$event.collapsed
    log "profiling ($front), $event, ${PROFILE_SECONDS}s -> $out"
    profiler "start,event=$event,interval=$([[ $event == cpu ]] && echo 1ms || echo 512k)"
    if [[ $front == h ]]; then
      wrk_load "$PROFILE_SECONDS" "$URL" -H "api-key: $KEY" >/dev/null
    else
      grpc_load 0 "$PROFILE_SECONDS" >/dev/null
    fi
    profiler "stop,file=$out,collapsed"
    printf '\n(%s) %s: top self frames of %s\n' "$front" "$event" "$out"
    top_frames "$out"
  done
done
