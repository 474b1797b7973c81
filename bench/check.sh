#!/usr/bin/env bash
# The auth-check benchmark: starts Keyport (embedded PostgreSQL + Payara Micro, with the dedicated
# check listener), nginx, and wrk, all on loopback, and prints one table from one run:
#   (a)  /auth/check on the check listener (KEYPORT_CHECK_PORT), one valid cached key
#   (a2) the same on the portal port
#   (b)  /ping on the portal port (the cheapest servlet)
#   (c)  nginx "return 200", worker_processes auto
#   (d1) (a) through the many-keys client script (bench/keys.lua) with a file of one key: (d)'s baseline
#   (d)  (a) with 1,000,000 keys in PostgreSQL and a 100,000-key working set hit at random
#   (f)  a flood of 100,000 distinct unknown well-formed keys, with the PostgreSQL lookups it caused
#   (e)  (a) with a key whose plan is rate limited, set too high to refuse (in the rate-limit
#        mode BENCH_RATELIMIT_MODE names: local by default; redis starts a Redis server for it)
# then the ratios a/c, a2/b, d/d1 and p99 of (a) against their targets, and for the million keys:
# the index's size, how long reading it took, the heap they cost, and a second node's start-up.
#
# Usage (from anywhere; builds target/ first if the WAR is missing):
#   bench/check.sh
# Environment:
#   BENCH_DURATION     seconds of each measured wrk run (15)
#   BENCH_WARMUP       seconds of the warm-up run before each measured run (10)
#   BENCH_SERVER_WARMUP  seconds of load on each Keyport endpoint right after start (in two
#                      rounds), so the JIT has compiled the servlet path before anything is measured (30)
#   BENCH_KEYS         keys loaded into PostgreSQL for (d) (1000000)
#   BENCH_WORKING_SET  keys (d) draws from at random (100000)
#   BENCH_THREADS, BENCH_CONNECTIONS   wrk -t and -c (2, 32)
#   BENCH_BUILD=1      run "mvn -B -q -DskipTests package" even when target/keyport.war exists
#   BENCH_NICE=-10     run Keyport, PostgreSQL, nginx and wrk at this nice level (default: not
#                      changed), for a machine busy with other work; the table says so
#   BENCH_RATELIMIT_MODE=redis   run Keyport with keyport.ratelimit.mode=redis against a Redis
#                      server started here (redis-server from Debian), so (e) is the shared-bucket figure
#   BENCH_METRICS_COST=1   instead of the table: what recording metrics costs the check. A second
#                      Keyport with keyport.metrics.enabled=false runs beside the first (metrics
#                      on), on the same PostgreSQL; wrk alternates between their check listeners,
#                      BENCH_ROUNDS (3) rounds, and the ratio of the medians off/on is printed
#                      (goal: recording costs < 5%, on/off >= 0.95)
#   BENCH_KEEP=1       keep the work folder (logs, wrk outputs, the database) for a look after
#   KEYPORT_JAVA_OPTS, KEYPORT_CHECK_CACHE_SIZE   passed on to Keyport (defaults -Xmx1g, 1000000)
# Everything it starts is stopped on exit. Debian packages wrk and nginx are installed if missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BENCH_DIR="$ROOT/bench"
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-10}
SERVER_WARMUP=${BENCH_SERVER_WARMUP:-30}
NKEYS=${BENCH_KEYS:-1000000}
WORKING_SET=${BENCH_WORKING_SET:-100000}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
CHECK_PATH=/auth/check/petstore/pets
NICE=()
[[ -n ${BENCH_NICE:-} ]] && NICE=(nice -n "$BENCH_NICE")

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# --- tools ---------------------------------------------------------------------------------------
need_packages=()
command -v wrk >/dev/null || need_packages+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need_packages+=(nginx)
command -v curl >/dev/null || need_packages+=(curl)
command -v psql >/dev/null || need_packages+=(postgresql-client)
MODE=${BENCH_RATELIMIT_MODE:-local}
[[ $MODE == local || $MODE == redis ]] || die "BENCH_RATELIMIT_MODE is local or redis, not $MODE"
[[ $MODE == redis ]] && ! command -v redis-server >/dev/null && need_packages+=(redis-server)
if ((${#need_packages[@]})); then
  log "installing ${need_packages[*]} from Debian"
  [[ $(id -u) == 0 ]] || die "need root to apt-get install ${need_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >&2
  # Debian's nginx package may start the system nginx; it is not ours to keep running.
  if command -v service >/dev/null && [[ " ${need_packages[*]} " == *" nginx "* ]]; then
    service nginx stop >/dev/null 2>&1 || true
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v java >/dev/null || die "java (17) is required"

# --- build and classpath -------------------------------------------------------------------------
cd "$ROOT"
build_and_classpath
tr ':' '\n' <"$CLASSPATH_FILE" >target/bench-classpath.lines
PGJDBC=$(grep -m1 '/postgresql-[0-9.]*\.jar$' target/bench-classpath.lines) ||
  die "no PostgreSQL JDBC driver on the classpath"

# --- work folder, ports, cleanup -----------------------------------------------------------------
WORK=$(mktemp -d /tmp/keyport-bench.XXXXXX)
PIDS=()
stop_servers() {
  [[ -f $WORK/nginx/nginx.pid ]] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null
  stop_launcher "${LAUNCHER:-}"
  stop_launcher "${LAUNCHER_OFF:-}"
  # PostgreSQL left behind by a launcher that could not stop it
  local pgpid
  pgpid=$(head -1 "$WORK/data/postgres/postmaster.pid" 2>/dev/null || true)
  if [[ -n $pgpid && $(tr '\0' ' ' <"/proc/$pgpid/cmdline" 2>/dev/null) == *"$WORK/data/postgres"* ]]; then
    kill -INT "$pgpid"
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
}
arm_cleanup

free_port && HTTP_PORT=$PORT
free_port && CHECK_PORT=$PORT
free_port && NGINX_PORT=$PORT
free_port && REDIS_PORT=$PORT
free_port && HTTP_PORT_OFF=$PORT
free_port && CHECK_PORT_OFF=$PORT
SECRET=$(head -c 33 /dev/urandom | base64 | tr -d '/+=\n')

# --- nginx ---------------------------------------------------------------------------------------
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
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
EOF
"${NICE[@]}" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" ||
  die "nginx did not start (see $WORK/nginx/error.log)"

# --- Redis (redis rate-limit mode only) ---------------------------------------------------------
REDIS_ENV=()
if [[ $MODE == redis ]]; then
  mkdir -p "$WORK/redis"
  "${NICE[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$WORK/redis" --logfile "$WORK/redis/redis.log" --daemonize no &
  PIDS+=($!)
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG || die "redis-server did not start"
  REDIS_ENV=(KEYPORT_RATELIMIT_MODE=redis KEYPORT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT")
  log "Redis on 127.0.0.1:$REDIS_PORT; rate limits shared through it (keyport.ratelimit.mode=redis)"
fi

# --- Keyport -------------------------------------------------------------------------------------
# The project's Payara command files, plus: the HTTP listener on loopback only.
mkdir -p "$WORK/payara"
cp payara/pre-boot-commands.asadmin "$WORK/payara/"
cp payara/post-boot-commands.asadmin "$WORK/payara/"
echo 'set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1' \
  >>"$WORK/payara/post-boot-commands.asadmin"

log "starting Keyport: portal 127.0.0.1:$HTTP_PORT, check listener 127.0.0.1:$CHECK_PORT (log: $WORK/keyport.log)"
env "${REDIS_ENV[@]}" KEYPORT_HTTP_PORT=$HTTP_PORT \
  KEYPORT_DATA_DIR="$WORK/data" \
  KEYPORT_KEYS_HMAC_SECRET="$SECRET" \
  KEYPORT_CHECK_PORT=$CHECK_PORT \
  KEYPORT_CHECK_BIND_ADDRESS=127.0.0.1 \
  KEYPORT_CHECK_CACHE_SIZE=${KEYPORT_CHECK_CACHE_SIZE:-1000000} \
  KEYPORT_JAVA_OPTS=${KEYPORT_JAVA_OPTS:--Xmx1g} \
  "${NICE[@]}" java -Xmx256m -cp "target/classes:$DEPS" io.keyport.platform.launcher.Launcher \
  target/payara-micro.jar target/keyport.war "$WORK/payara" >"$WORK/keyport.log" 2>&1 &
LAUNCHER=$!
# Keyport stopping under load invalidates the run: say so instead of timing refused connections.
keyport_alive() {
  kill -0 "$LAUNCHER" 2>/dev/null ||
    die "Keyport stopped during $1 (its log ends: $(tail -c 300 "$WORK/keyport.log" | tr '\n' ' '))"
}

PORTAL=http://127.0.0.1:$HTTP_PORT
CHECK=http://127.0.0.1:$CHECK_PORT
await_portal "$PORTAL" "$LAUNCHER"
log "Keyport is up"

PG_PORT=$(sed -n 4p "$WORK/data/postgres/postmaster.pid")
DB_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/postgres

# One key of plan unlimited, made the way a developer makes it: through the REST API.
create_key "$PORTAL" bench
for url in "$CHECK$CHECK_PATH" "$PORTAL$CHECK_PATH"; do
  status=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "api-key: $KEY" "$url")
  [[ $status == 200 ]] || die "$url answered $status to a valid key"
done

# --- wrk -----------------------------------------------------------------------------------------
declare -A RPS P50 P99 NON2XX ERRORS
field() { sed -n "/^BENCH /s/.*[[:space:]]$1=\([^ ]*\).*/\1/p" "$2"; }

# run_wrk NAME URL [wrk options...]: a warm-up run, then the measured run.
run_wrk() {
  local name=$1 url=$2
  shift 2
  local common=(-t"$THREADS" -c"$CONNECTIONS" --latency --timeout 2s)
  log "($name) warm-up ${WARMUP}s, then ${DURATION}s: $url"
  timeout $((WARMUP + 60)) "${NICE[@]}" wrk "${common[@]}" -d"${WARMUP}s" "$@" "$url" \
    >"$WORK/wrk-$name-warmup.txt" 2>&1 || die "wrk warm-up of ($name) failed"
  timeout $((DURATION + 60)) "${NICE[@]}" wrk "${common[@]}" -d"${DURATION}s" "$@" "$url" \
    >"$WORK/wrk-$name.txt" 2>&1 || die "wrk run of ($name) failed"
  keyport_alive "($name)"
  local out=$WORK/wrk-$name.txt
  grep -q '^BENCH ' "$out" || die "no summary from wrk for ($name): $(cat "$out")"
  RPS[$name]=$(field rps "$out")
  P50[$name]=$(field p50_ms "$out")
  P99[$name]=$(field p99_ms "$out")
  NON2XX[$name]=$(field non2xx "$out")
  ERRORS[$name]=$(($(field connect "$out") + $(field read "$out") + $(field write "$out") + $(field timeout "$out")))
  # a non-2xx that wrk does not count (it counts >= 400 only) would still be caught here
  log "($name) ${RPS[$name]} req/s, p50 ${P50[$name]} ms, p99 ${P99[$name]} ms, non-2xx ${NON2XX[$name]}, socket errors ${ERRORS[$name]}"
}

# --- (e): rate limiting on, on a gold-like plan set too high to refuse ----------------------------
PGPASSWORD=postgres psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL' >&2
insert into usage_plan (name, display_name, requests_per_unit, rate_unit)
  values ('bench-limited', 'Bench (limited)', 1000000000, 'MINUTE');
insert into product_plan (product_id, plan_id)
  select p.id, pl.id from api_product p, usage_plan pl
   where p.slug = 'petstore' and pl.name = 'bench-limited';
SQL
sleep 1 # the catalogue reloads on the change notification
created=$(curl -sS -m 10 -u dev@example.com:dev -H 'Content-Type: application/json' \
  -d '{"apiKeyName":"bench-limited","apiProduct":"petstore","usagePlan":"bench-limited"}' \
  "$PORTAL/api/v1/api-keys")
LIMITED_KEY=$(sed -n 's/.*"apiKey":"\([^"]*\)".*/\1/p' <<<"$created")
[[ -n $LIMITED_KEY ]] || die "could not create a key on the limited plan: $created"
limit=$(curl -s -m 10 -D - -o /dev/null -H "api-key: $LIMITED_KEY" "$CHECK$CHECK_PATH" | tr -d '\r' \
  | sed -n 's/^[Rr]ate[Ll]imit-[Ll]imit: //p')
[[ $limit == 1000000000 ]] || die "the limited key's check carried no RateLimit-Limit ($limit)"

# --- BENCH_METRICS_COST=1: the check with metrics recorded (the node above) and not ------------
if [[ ${BENCH_METRICS_COST:-0} == 1 ]]; then
  ROUNDS=${BENCH_ROUNDS:-3}
  log "starting a second Keyport with keyport.metrics.enabled=false: portal 127.0.0.1:$HTTP_PORT_OFF, check 127.0.0.1:$CHECK_PORT_OFF"
  env KEYPORT_DB_URL="$DB_URL" KEYPORT_DB_USER=postgres KEYPORT_DB_PASSWORD=postgres \
    KEYPORT_METRICS_ENABLED=false KEYPORT_HTTP_PORT=$HTTP_PORT_OFF \
    KEYPORT_DATA_DIR="$WORK/data-off" KEYPORT_KEYS_HMAC_SECRET="$SECRET" \
    KEYPORT_CHECK_PORT=$CHECK_PORT_OFF KEYPORT_CHECK_BIND_ADDRESS=127.0.0.1 \
    KEYPORT_CHECK_CACHE_SIZE=${KEYPORT_CHECK_CACHE_SIZE:-1000000} \
    KEYPORT_JAVA_OPTS=${KEYPORT_JAVA_OPTS:--Xmx1g} \
    "${NICE[@]}" java -Xmx256m -cp "target/classes:$DEPS" io.keyport.platform.launcher.Launcher \
    target/payara-micro.jar target/keyport.war "$WORK/payara" >"$WORK/keyport-off.log" 2>&1 &
  LAUNCHER_OFF=$!
  for i in $(seq 400); do
    kill -0 "$LAUNCHER_OFF" 2>/dev/null || die "the second Keyport stopped while starting; see $WORK/keyport-off.log"
    [[ $(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT_OFF/ping" || true) == 204 ]] && break
    ((i < 400)) || die "the second Keyport did not answer /ping within 400 s"
    sleep 1
  done
  CHECK_OFF=http://127.0.0.1:$CHECK_PORT_OFF
  status=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "api-key: $KEY" "$CHECK_OFF$CHECK_PATH")
  [[ $status == 200 ]] || die "the metrics-off node answered $status to a valid key"
  [[ $(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT_OFF/metrics") == 404 ]] ||
    die "the metrics-off node still serves /metrics"
  log "warming both JVMs: ${SERVER_WARMUP}s on each check listener"
  for url in "$CHECK$CHECK_PATH" "$CHECK_OFF$CHECK_PATH"; do
    timeout $((SERVER_WARMUP + 60)) "${NICE[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" \
      -d"${SERVER_WARMUP}s" -H "api-key: $KEY" "$url" >>"$WORK/wrk-server-warmup.txt" 2>&1 ||
      die "wrk failed on $url"
  done
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  on=() off=()
  for round in $(seq "$ROUNDS"); do
    run_wrk "on$round" "$CHECK$CHECK_PATH" -s "$BENCH_DIR/report.lua" -H "api-key: $KEY"
    on+=("${RPS[on$round]}")
    kill -0 "$LAUNCHER_OFF" 2>/dev/null || die "the metrics-off node stopped"
    run_wrk "off$round" "$CHECK_OFF$CHECK_PATH" -s "$BENCH_DIR/report.lua" -H "api-key: $KEY"
    off+=("${RPS[off$round]}")
  done
  LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
  median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
  ON=$(median "${on[@]}") OFF=$(median "${off[@]}")
  RATIO=$(awk -v x="$ON" -v y="$OFF" 'BEGIN { printf "%.3f", (y > 0 ? x / y : 0) }')
  {
    printf '\nWhat recording metrics costs the check — wrk -t%s -c%s -d%ss (warm-up %ss) on the check listener, %s rounds, %s cores, %s\n' \
      "$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP" "$ROUNDS" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)"
    printf 'load average before %s, after %s\n' "$LOAD_BEFORE" "$LOAD_AFTER"
    printf '%-40s %s\n' "metrics on  (requests/s per round)" "${on[*]}"
    printf '%-40s %s\n' "metrics off (requests/s per round)" "${off[*]}"
    printf '%-40s %.0f / %.0f = %s  (goal >= 0.95: %s)\n' "median on / median off" "$ON" "$OFF" "$RATIO" \
      "$(awk -v r="$RATIO" 'BEGIN { print (r >= 0.95 ? "PASS" : "MISS") }')"
  } | tee "$WORK/metrics-cost.txt"
  exit 0
fi

# Two rounds over the endpoints, so neither portal run is measured on code the JIT is still
# compiling while the other one is not (run alone, the servlet path kept getting faster for ~60 s).
HALF=$((SERVER_WARMUP > 1 ? SERVER_WARMUP / 2 : 1))
log "warming the JVM: 2 rounds of ${HALF}s on each of the portal's check, /ping and the check listener"
for round in 1 2; do
  for url in "$PORTAL$CHECK_PATH" "$PORTAL/ping" "$CHECK$CHECK_PATH"; do
    timeout $((SERVER_WARMUP + 60)) "${NICE[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" \
      -d"${HALF}s" -H "api-key: $KEY" "$url" >>"$WORK/wrk-server-warmup.txt" 2>&1 ||
      die "wrk failed on $url"
  done
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average before the runs: $LOAD_BEFORE"
run_wrk a "$CHECK$CHECK_PATH" -s "$BENCH_DIR/report.lua" -H "api-key: $KEY"
# (e) right after (a), so the two are measured under the same conditions
run_wrk e "$CHECK$CHECK_PATH" -s "$BENCH_DIR/report.lua" -H "api-key: $LIMITED_KEY"
run_wrk a2 "$PORTAL$CHECK_PATH" -s "$BENCH_DIR/report.lua" -H "api-key: $KEY"
run_wrk b "$PORTAL/ping" -s "$BENCH_DIR/report.lua"
run_wrk c "http://127.0.0.1:$NGINX_PORT/" -s "$BENCH_DIR/report.lua"


# --- (d): a million keys -------------------------------------------------------------------------
log "inserting $NKEYS keys into PostgreSQL (port $PG_PORT), $WORKING_SET of them into the working set"
started=$SECONDS
metric() { # metric NAME_WITH_LABELS: its value in the node's Prometheus text (0 when absent)
  curl -s -m 10 "$PORTAL/metrics" | awk -v m="$1" '$1 == m { print $2; found = 1 } END { if (!found) print 0 }'
}
PAYARA_PID=$(pgrep -P "$LAUNCHER" java | head -1)
used_heap_mb() { # after a full GC
  jcmd "$PAYARA_PID" GC.run >/dev/null 2>&1
  jcmd "$PAYARA_PID" GC.heap_info 2>/dev/null | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); print int(v / 1024); exit } }'
}
HEAP_BEFORE=$(used_heap_mb)
inserted=$(java -cp "$PGJDBC" "$BENCH_DIR/Keys.java" "$DB_URL" postgres postgres "$SECRET" \
  "$NKEYS" "$WORKING_SET" "$WORK/keys.txt" "$WORK/unknown.txt") || die "loading the keys failed"
log "inserted $inserted keys in $((SECONDS - started)) s"
for _ in $(seq 300); do
  (($(metric keyport_key_index_size | cut -d. -f1) >= NKEYS)) && break
  sleep 0.5
done
INDEX_SIZE=$(metric keyport_key_index_size | cut -d. -f1)
((INDEX_SIZE >= NKEYS)) || die "the index of live hashes holds $INDEX_SIZE hashes, not $NKEYS"
INDEX_MB=$(awk -v b="$(metric keyport_key_index_bytes)" 'BEGIN { printf "%.1f", b / 1048576 }')
INDEX_MS=$(sed -n "s/.*Index of live keys read: [0-9,]* hashes in \([0-9,]*\) ms.*/\1/p" "$WORK/keyport.log" | tail -1 | tr -d ,)
status=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "api-key: $(head -1 "$WORK/keys.txt")" "$CHECK$CHECK_PATH")
[[ $status == 200 ]] || die "a generated key was answered $status, not 200"

log "(d) warming the cache: one pass over the $WORKING_SET keys"
export BENCH_KEYS_FILE=$WORK/keys.txt BENCH_THREADS=$THREADS BENCH_PASS_DIR=$WORK/pass
mkdir -p "$BENCH_PASS_DIR"
started=$SECONDS
BENCH_MODE=pass "${NICE[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d300s --timeout 5s \
  -s "$BENCH_DIR/keys.lua" "$CHECK$CHECK_PATH" >"$WORK/wrk-d-pass.txt" 2>&1 &
PASS=$!
PIDS+=("$PASS")
# wrk sleeps out -d whatever its threads do; SIGINT ends it early, with its summary.
while kill -0 "$PASS" 2>/dev/null; do
  if ! kill -0 "$LAUNCHER" 2>/dev/null; then
    kill -INT "$PASS"
    keyport_alive "the warm-up pass"
  fi
  if (($(find "$BENCH_PASS_DIR" -name 'done-*' | wc -l) >= THREADS)); then
    kill -INT "$PASS"
    break
  fi
  sleep 0.2
done
wait "$PASS" || die "the warm-up pass failed: $(cat "$WORK/wrk-d-pass.txt")"
passed=$(field requests "$WORK/wrk-d-pass.txt")
not200=$(sed -n 's/^BENCH_PASS not200=//p' "$WORK/wrk-d-pass.txt")
log "(d) pass: $passed requests in $((SECONDS - started)) s, $not200 not 200"
((passed >= WORKING_SET)) || die "the warm-up pass stopped after $passed of $WORKING_SET keys"
[[ $not200 == 0 ]] || die "the warm-up pass had $not200 answers other than 200"
HEAP_AFTER=$(used_heap_mb)
export BENCH_MODE=random
run_wrk d "$CHECK$CHECK_PATH" -s "$BENCH_DIR/keys.lua"
head -1 "$WORK/keys.txt" >"$WORK/one-key.txt"
BENCH_KEYS_FILE=$WORK/one-key.txt run_wrk d1 "$CHECK$CHECK_PATH" -s "$BENCH_DIR/keys.lua"

# --- (f): a flood of unknown well-formed keys ------------------------------------------------------
LOOKUPS_BEFORE=$(metric 'keyport_db_key_lookups_total{result="absent"}' | cut -d. -f1)
BENCH_KEYS_FILE=$WORK/unknown.txt run_wrk f "$CHECK$CHECK_PATH" -s "$BENCH_DIR/keys.lua"
FLOOD_LOOKUPS=$(( $(metric 'keyport_db_key_lookups_total{result="absent"}' | cut -d. -f1) - LOOKUPS_BEFORE ))

# --- a second node's start-up beside the million keys ---------------------------------------------
log "starting a second Keyport on the same PostgreSQL ($inserted + keys)"
free_port && HTTP_PORT_2=$PORT
free_port && CHECK_PORT_2=$PORT
started_ms=$(date +%s%3N)
env KEYPORT_DB_URL="$DB_URL" KEYPORT_DB_USER=postgres KEYPORT_DB_PASSWORD=postgres \
  KEYPORT_HTTP_PORT=$HTTP_PORT_2 KEYPORT_DATA_DIR="$WORK/data-2" KEYPORT_KEYS_HMAC_SECRET="$SECRET" \
  KEYPORT_CHECK_PORT=$CHECK_PORT_2 KEYPORT_CHECK_BIND_ADDRESS=127.0.0.1 \
  KEYPORT_JAVA_OPTS=${KEYPORT_JAVA_OPTS:--Xmx1g} \
  "${NICE[@]}" java -Xmx256m -cp "target/classes:$DEPS" io.keyport.platform.launcher.Launcher \
  target/payara-micro.jar target/keyport.war "$WORK/payara" >"$WORK/keyport-2.log" 2>&1 &
LAUNCHER_OFF=$! # stopped on exit like the metrics-cost node
for i in $(seq 400); do
  kill -0 "$LAUNCHER_OFF" 2>/dev/null || die "the second Keyport stopped while starting; see $WORK/keyport-2.log"
  [[ $(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT_2/health/ready" || true) == 200 ]] && break
  ((i < 400)) || die "the second Keyport was not ready within 400 s"
  sleep 0.5
done
READY_S=$(awk -v a="$started_ms" -v b="$(date +%s%3N)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
for _ in $(seq 240); do grep -q 'Index of live keys read: [1-9]' "$WORK/keyport-2.log" && break; sleep 0.5; done
INDEXED_S=$(awk -v a="$started_ms" -v b="$(date +%s%3N)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
INDEX_MS_2=$(sed -n "s/.*Index of live keys read: [0-9,]* hashes in \([0-9,]*\) ms.*/\1/p" "$WORK/keyport-2.log" | tail -1 | tr -d ,)
status=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "api-key: $(sed -n 2p "$WORK/keys.txt")" "http://127.0.0.1:$CHECK_PORT_2$CHECK_PATH")
[[ $status == 200 ]] || die "the second node answered $status to a loaded key"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average after the runs: $LOAD_AFTER"

# --- the table -----------------------------------------------------------------------------------
thousands() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", (y > 0 ? x / y : 0) }'; }
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = (dir == "ge" ? v >= t : v < t); print (ok ? "PASS" : "MISS") }'; }

D_RATIO=$(ratio "${RPS[d]}" "${RPS[d1]}")
{
  printf '\nKeyport auth-check benchmark — wrk -t%s -c%s -d%ss --latency (warm-up %ss), %s cores, %s\n' \
    "$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)"
  printf 'load average before %s, after %s%s\n' "$LOAD_BEFORE" "$LOAD_AFTER" \
    "${BENCH_NICE:+; everything benchmarked at nice $BENCH_NICE}"
  printf '%-58s %12s %9s %9s %8s\n' "run" "requests/s" "p50 ms" "p99 ms" "non-2xx"
  printf '%-58s %12s %9s %9s %8s\n' "----------------------------------------------------------" \
    "------------" "---------" "---------" "--------"
  row() { printf '%-58s %12.0f %9.3f %9.3f %8s%s\n' "$1" "${RPS[$2]}" "${P50[$2]}" "${P99[$2]}" "${NON2XX[$2]}" "$3"; }
  errors_note() { ((${ERRORS[$1]} == 0)) || printf '  (%s socket errors)' "${ERRORS[$1]}"; }
  row "(a)  /auth/check, check listener, 1 cached key" a "$(errors_note a)"
  row "(a2) /auth/check, portal port, 1 cached key" a2 "$(errors_note a2)"
  row "(b)  /ping, portal port" b "$(errors_note b)"
  row "(c)  nginx return 200" c "$(errors_note c)"
  row "(d1) (a) through bench/keys.lua, a file of 1 key" d1 "$(errors_note d1)"
  row "(d)  (d1) with $(thousands "$NKEYS") keys, $(thousands "$WORKING_SET") at random" d "  d/d1 = $D_RATIO$(errors_note d)"
  row "(f)  $(thousands "$WORKING_SET") distinct unknown keys at random" f "  (401s expected)$(errors_note f)"
  row "(e)  (a) with a rate-limited plan ($MODE mode)" e "$(errors_note e)"
  printf '(non-2xx: responses with status >= 400, as wrk counts them; every run also checks for socket errors)\n'
  printf '\n%-30s %8s %10s  %s\n' "target" "value" "goal" "result"
  printf '%-30s %8s %10s  %s\n' "a/c  check vs nginx" "$(ratio "${RPS[a]}" "${RPS[c]}")" ">= 0.80" \
    "$(verdict "$(ratio "${RPS[a]}" "${RPS[c]}")" 0.80 ge)"
  printf '%-30s %8s %10s  %s\n' "a2/b servlet check vs /ping" "$(ratio "${RPS[a2]}" "${RPS[b]}")" ">= 0.85" \
    "$(verdict "$(ratio "${RPS[a2]}" "${RPS[b]}")" 0.85 ge)"
  printf '%-30s %8s %10s  %s\n' "d/d1 many keys vs 1 key" "$D_RATIO" ">= 0.90" "$(verdict "$D_RATIO" 0.90 ge)"
  printf '%-30s %8s %10s  %s\n' "e/a  limiting vs none" "$(ratio "${RPS[e]}" "${RPS[a]}")" ">= 0.90" \
    "$(verdict "$(ratio "${RPS[e]}" "${RPS[a]}")" 0.90 ge)"
  printf '%-30s %8s %10s  %s\n' "p99 of (a), ms" "$(printf '%.2f' "${P99[a]}")" "< 4" \
    "$(verdict "${P99[a]}" 4 lt)"
  printf '%-30s %8s %10s  %s\n' "  for reference: p99 of (c)" "$(printf '%.2f' "${P99[c]}")" "" \
    "(nginx on the same machine at the same time)"
  printf '\n%s keys (bench/Keys.java, one COPY, then NOTIFY keyport_changes all):\n' "$(thousands "$inserted")"
  printf '  index of live hashes: %s hashes, %s MiB, read from PostgreSQL in %s ms\n' \
    "$(thousands "$INDEX_SIZE")" "$INDEX_MB" "${INDEX_MS:-?}"
  printf '  heap used after a full GC: %s MiB before the load, %s MiB with the index and %s keys cached\n' \
    "${HEAP_BEFORE:-?}" "${HEAP_AFTER:-?}" "$(thousands "$WORKING_SET")"
  printf '  (f) PostgreSQL lookups of unknown keys over its warm-up and run (%s s): %s (allowance: 20 a second)\n' \
    "$((WARMUP + DURATION))" "$FLOOD_LOOKUPS"
  printf '  a second node on the same database: ready in %s s, its index read %s s after launch (%s ms reading)\n' \
    "$READY_S" "$INDEXED_S" "${INDEX_MS_2:-?}"
}
