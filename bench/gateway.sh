#!/usr/bin/env bash
# End to end through nginx auth_request (issue 17): the whole tested gateway file
# examples/gateways/nginx/keyport.conf in front of an upstream nginx "return 200", with
#   (k) Keyport's check listener as the auth server (one cached key of plan unlimited), and
#   (c) a constant auth server (nginx "return 200") in its place, the architecture's own limit,
# both under wrk -t2 -c32, in BENCH_ROUNDS rounds of (k) then (c); prints each round and the
# median of k/c (goal >= 0.95). (u), the same gateway with no auth at all, is measured once for
# reference. Everything shares both CPUs, as a gateway and its auth server on one host would.
#
# Usage: bench/gateway.sh   (builds target/ first if the WAR is missing)
# Environment: BENCH_DURATION (15), BENCH_WARMUP (10), BENCH_SERVER_WARMUP (20), BENCH_ROUNDS (3),
#   BENCH_KEEP=1 to keep the work folder.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-10}
SERVER_WARMUP=${BENCH_SERVER_WARMUP:-20}
ROUNDS=${BENCH_ROUNDS:-3}
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
command -v wrk >/dev/null || die "wrk is required (Debian package wrk)"
command -v curl >/dev/null || die "curl is required"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || die "nginx is required (Debian package nginx)"

cd "$ROOT"
build_and_classpath

WORK=$(mktemp -d /tmp/keyport-bench-gateway.XXXXXX)
NGINXES=(servers keyport constant none)
stop_servers() {
  for name in "${NGINXES[@]}"; do
    [[ -f $WORK/$name/nginx.pid ]] && kill "$(cat "$WORK/$name/nginx.pid")" 2>/dev/null
  done
  stop_launcher "${LAUNCHER:-}"
}
arm_cleanup

free_port && HTTP_PORT=$PORT
free_port && CHECK_PORT=$PORT
free_port && UPSTREAM_PORT=$PORT
free_port && CONSTANT_PORT=$PORT
free_port && GW_KEYPORT=$PORT
free_port && GW_CONSTANT=$PORT
free_port && GW_NONE=$PORT

# start_nginx NAME "server blocks": one nginx of its own (workers auto), so the two gateways can
# each include the tested file unchanged.
start_nginx() {
  local name=$1 servers=$2 dir=$WORK/$1
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<CONF
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
$servers
}
CONF
  "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" ||
    die "nginx $name did not start (see $dir/error.log)"
}
# The tested gateway file with its three blanks filled in.
gateway() { # auth server host:port, listen port
  sed -e "s/KEYPORT_CHECK/$1/; s/UPSTREAM/127.0.0.1:$UPSTREAM_PORT/; s/GATEWAY_LISTEN/127.0.0.1:$2/" \
    examples/gateways/nginx/keyport.conf
}
start_nginx servers "
  server { listen 127.0.0.1:$UPSTREAM_PORT; location / { return 200 'ok'; } }
  server { listen 127.0.0.1:$CONSTANT_PORT; location / { return 200; } }"
start_nginx keyport "$(gateway "127.0.0.1:$CHECK_PORT" "$GW_KEYPORT")"
start_nginx constant "$(gateway "127.0.0.1:$CONSTANT_PORT" "$GW_CONSTANT")"
start_nginx none "
  upstream api { server 127.0.0.1:$UPSTREAM_PORT; keepalive 16; }
  server { listen 127.0.0.1:$GW_NONE;
    location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"

mkdir -p "$WORK/payara"
cp payara/pre-boot-commands.asadmin payara/post-boot-commands.asadmin "$WORK/payara/"
echo 'set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1' \
  >>"$WORK/payara/post-boot-commands.asadmin"
log "starting Keyport: portal :$HTTP_PORT, check listener :$CHECK_PORT (log: $WORK/keyport.log)"
env KEYPORT_HTTP_PORT=$HTTP_PORT KEYPORT_DATA_DIR="$WORK/data" \
  KEYPORT_KEYS_HMAC_SECRET="$(head -c 33 /dev/urandom | base64 | tr -d '/+=\n')" \
  KEYPORT_CHECK_PORT=$CHECK_PORT KEYPORT_CHECK_BIND_ADDRESS=127.0.0.1 \
  KEYPORT_JAVA_OPTS=${KEYPORT_JAVA_OPTS:--Xmx1g} \
  java -Xmx256m -cp "target/classes:$DEPS" io.keyport.platform.launcher.Launcher \
  target/payara-micro.jar target/keyport.war "$WORK/payara" >"$WORK/keyport.log" 2>&1 &
LAUNCHER=$!
PORTAL=http://127.0.0.1:$HTTP_PORT
await_portal "$PORTAL" "$LAUNCHER"
create_key "$PORTAL" bench-gateway
PATH_=/petstore/pets
for gw in "$GW_KEYPORT" "$GW_CONSTANT" "$GW_NONE"; do
  got=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "api-key: $KEY" "http://127.0.0.1:$gw$PATH_")
  [[ $got == 200 ]] || die "the gateway on :$gw answered $got for the key"
done
got=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "api-key: ${KEY}x" "http://127.0.0.1:$GW_KEYPORT$PATH_")
[[ $got == 401 ]] || die "the Keyport gateway answered $got for a wrong key, not 401"

field() { sed -n "/^BENCH /s/.*[[:space:]]$1=\([^ ]*\).*/\1/p" "$2"; }
# measure NAME PORT: a warm-up, then a measured run through the gateway on PORT; appends
# "NAME rps p50 p99" to $WORK/results.
measure() {
  local name=$1 url=http://127.0.0.1:$2$PATH_ out=$WORK/$1.txt
  log "($name) warm-up ${WARMUP}s, then ${DURATION}s"
  wrk -t2 -c32 -d"${WARMUP}s" -H "api-key: $KEY" "$url" >/dev/null
  wrk -t2 -c32 -d"${DURATION}s" --latency --timeout 2s -s bench/report.lua -H "api-key: $KEY" "$url" >"$out"
  [[ -n $(field rps "$out") ]] || die "no summary of ($name): $(cat "$out")"
  [[ $(field non2xx "$out") == 0 ]] || die "($name) answered non-2xx under load: $(cat "$out")"
  echo "$name $(field rps "$out") $(field p50_ms "$out") $(field p99_ms "$out")" >>"$WORK/results"
}
log "warming Keyport's JVM: ${SERVER_WARMUP}s through its gateway"
wrk -t2 -c32 -d"${SERVER_WARMUP}s" -H "api-key: $KEY" "http://127.0.0.1:$GW_KEYPORT$PATH_" >/dev/null
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$WORK/results"
for r in $(seq "$ROUNDS"); do
  measure "k$r" "$GW_KEYPORT"
  measure "c$r" "$GW_CONSTANT"
done
measure u "$GW_NONE"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

result() { awk -v name="$1" -v col="$2" '$1 == name { print $col }' "$WORK/results"; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", (y > 0 ? x / y : 0) }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
label() {
  case $1 in
    k*) echo "($1) nginx auth_request -> Keyport's check listener" ;;
    c*) echo "($1) nginx auth_request -> nginx return 200" ;;
    u) echo "(u) nginx proxy, no auth" ;;
  esac
}
printf '\nKeyport behind nginx auth_request, %s cores, %s; examples/gateways/nginx/keyport.conf; load before %s, after %s\n' \
  "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)" "$LOAD_BEFORE" "$LOAD_AFTER"
printf '%-58s %12s %9s %9s\n' "run (wrk -t2 -c32 through the gateway)" requests/s "p50 ms" "p99 ms"
while read -r name rps p50 p99; do
  printf '%-58s %12.0f %9.3f %9.3f\n' "$(label "$name")" "$rps" "$p50" "$p99"
done <"$WORK/results"
printf '\n%-8s %10s %10s\n' round "k/c req/s" "k/c p99"
for r in $(seq "$ROUNDS"); do
  printf '%-8s %10s %10s\n' "$r" "$(ratio "$(result "k$r" 2)" "$(result "c$r" 2)")" \
    "$(ratio "$(result "k$r" 4)" "$(result "c$r" 4)")"
done | tee "$WORK/rounds"
KC=$(awk '{ print $2 }' "$WORK/rounds" | median)
printf '\nmedian k/c requests/s %s (goal >= 0.95 %s)\n' "$KC" \
  "$(awk -v v="$KC" 'BEGIN { print (v >= 0.95 ? "PASS" : "MISS") }')"
