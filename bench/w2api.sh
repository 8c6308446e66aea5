#!/usr/bin/env bash
# bench/w2api.sh: W2 through the example API, introspection over the event bus against over HTTP.
#   Gatehouse  one node, clustered (Hazelcast on loopback, the real PostgreSQL in a schema of this run's own), CPU 0
#   the API    the resource-server library's example API (GET /user needs read:users) in the same cluster, checking
#              every token by introspection (API_INTROSPECTION_CACHE_SECONDS=0: no answer cache, so every request is
#              one introspection) over TRANSPORT "bus" (gatehouse.introspect) or "http" (POST /introspect), CPU 1
#   the load   wrk -t1 -cCONNECTIONS GET /user, CPU 1 (beside the API), round robin over TOKENS bearer tokens (the
#              library shares one introspection among concurrent requests with the same token; with many tokens
#              nearly every request is its own introspection)
# Each mode in turn, ROUNDS times, alternating (bus, http, bus, http, ...), each WARMUP then DURATION.
# Usage:  bench/w2api.sh           ROUNDS=3 DURATION=15s WARMUP=10s CONNECTIONS=32 bench/w2api.sh
# Environment: TOKENS (500), ROUNDS (2), DURATION (15s), WARMUP (10s), CONNECTIONS (32), PG_HOST (127.0.0.1), PG_PORT (5432),
#   PG_USER (postgres), PG_DATABASE (test), JAVA (java), OUT (bench/runs/<timestamp>-w2api), LOCK (/tmp/bench.lock).
# Needs: java 17+, curl, psql, wrk, taskset, flock, and the jars of modules/server and modules/resource-server
# (mvn -B -q -DskipTests package -pl modules/server,modules/resource-server -am).
# Prints one line per run: mode, req/s, p50, p99, non-2xx, and the CPU % of Gatehouse and of the API.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
TOKENS="${TOKENS:-500}"; ROUNDS="${ROUNDS:-2}"; DURATION="${DURATION:-15s}"; WARMUP="${WARMUP:-10s}"; CONNECTIONS="${CONNECTIONS:-32}"
PG_HOST="${PG_HOST:-127.0.0.1}"; PG_PORT="${PG_PORT:-5432}"; PG_USER="${PG_USER:-postgres}"; PG_DATABASE="${PG_DATABASE:-test}"
JAVA="${JAVA:-java}"; LOCK="${LOCK:-/tmp/bench.lock}"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="${OUT:-$HERE/runs/$STAMP-w2api}"
GH_JAR="$ROOT/modules/server/target/gatehouse.jar"
API_JAR="$ROOT/modules/resource-server/target/gatehouse-example-api.jar"

log() { printf '[w2api %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit "${2:-1}"; }
for tool in "$JAVA" curl psql wrk taskset flock; do command -v "$tool" >/dev/null || die "missing $tool" 2; done
[[ -f "$GH_JAR" && -f "$API_JAR" ]] || die "build the jars first (see the header)" 2
mkdir -p "$OUT"
WORK="$(mktemp -d /tmp/gatehouse-w2api.XXXXXX)"
cp "$GH_JAR" "$API_JAR" "$WORK/"

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 20000 ))
    ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
  done
  die "no free port found"
}
secs() { echo "${1%s}"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

SCHEMA="gh_w2api_$(date +%s)_$RANDOM"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
exec 9>"$LOCK"
flock -w 3600 9 || die "another benchmark holds $LOCK"

CC_SECRET="w2-cc-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
RS_SECRET="w2-rs-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
cat > "$WORK/seed.yaml" <<YAML
clients:
  - client_id: bench-cc
    client_secret: "$CC_SECRET"
    grant_types: [client_credentials]
    scopes: ["read:users"]
    access_token_ttl: 1h
  - client_id: bench-rs
    client_secret: "$RS_SECRET"
    grant_types: [client_credentials]
    scopes: []
    can_introspect: true
YAML
PORT=$(free_port); HZ=$(free_port); HZ_API=$(free_port)
MEMBERS="127.0.0.1:$HZ,127.0.0.1:$HZ_API"
CLUSTER="gatehouse-w2api-$STAMP-$RANDOM"
ISSUER="http://127.0.0.1:$PORT"
KEYS="$WORK/keys"
# one node: its own generated key file is fine, but a cluster needs keys.jwks_file
mkdir -p "$KEYS"
GATEHOUSE_HTTP_PORT=$(free_port) GATEHOUSE_ISSUER="http://127.0.0.1:1" GATEHOUSE_KEYS_DATA_DIR="$KEYS" GATEHOUSE_DEMO_ENABLED=false \
  "$JAVA" -jar "$WORK/gatehouse.jar" > "$OUT/keys.log" 2>&1 &
KP=$!
for _ in $(seq 1 120); do [[ -s "$KEYS/signing-keys.json" ]] && break; sleep 0.25; done
sleep 1; kill "$KP"; wait "$KP" 2>/dev/null || true
[[ -s "$KEYS/signing-keys.json" ]] || die "no key set was generated (see $OUT/keys.log)"

log "starting Gatehouse (:$PORT, CPU 0), cluster $CLUSTER, schema $SCHEMA"
env GATEHOUSE_HTTP_PORT="$PORT" GATEHOUSE_ISSUER="$ISSUER" GATEHOUSE_DEMO_ENABLED=false GATEHOUSE_HTTP_INSTANCES=1 \
  GATEHOUSE_RATE_LIMIT_ENABLED=false GATEHOUSE_KEYS_JWKS_FILE="$KEYS/signing-keys.json" GATEHOUSE_KEYS_DATA_DIR="$WORK/data" \
  GATEHOUSE_STORE_TYPE=postgres GATEHOUSE_POSTGRES_HOST="$PG_HOST" GATEHOUSE_POSTGRES_PORT="$PG_PORT" GATEHOUSE_POSTGRES_USER="$PG_USER" \
  GATEHOUSE_POSTGRES_DATABASE="$PG_DATABASE" GATEHOUSE_POSTGRES_SCHEMA="$SCHEMA" GATEHOUSE_CLUSTER_ENABLED=true \
  GATEHOUSE_CLUSTER_NAME="$CLUSTER" GATEHOUSE_CLUSTER_PORT="$HZ" GATEHOUSE_CLUSTER_MEMBERS="$MEMBERS" \
  taskset -c 0 "$JAVA" -XX:ActiveProcessorCount=1 -jar "$WORK/gatehouse.jar" --seed "$WORK/seed.yaml" > "$OUT/gatehouse.log" 2>&1 &
GH_PID=$!; PIDS+=($GH_PID)
for _ in $(seq 1 240); do curl -sf "$ISSUER/health/ready" >/dev/null && break; sleep 0.25; done
curl -sf "$ISSUER/health/ready" >/dev/null || die "Gatehouse did not become ready; see $OUT"
log "fetching $TOKENS tokens"
: > "$WORK/tokens.txt"
for _ in $(seq 1 "$TOKENS"); do
  t=$(curl -sf -u "bench-cc:$CC_SECRET" -d grant_type=client_credentials -d scope=read:users "$ISSUER/token" \
    | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  echo "$t" >> "$WORK/tokens.txt"
done
TOKEN=$(head -1 "$WORK/tokens.txt")
[[ -n "$TOKEN" && $(wc -l < "$WORK/tokens.txt") -eq "$TOKENS" ]] || die "could not fetch the tokens"
cat > "$WORK/tokens.lua" <<LUA
local tokens = {}
for line in io.lines("$WORK/tokens.txt") do tokens[#tokens + 1] = line end
local i = 0
request = function()
  i = i % #tokens + 1
  return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. tokens[i]})
end
LUA
echo "| run | transport | req/s | p50 | p99 | non-2xx | Gatehouse CPU % | API CPU % |" | tee "$OUT/summary.md"
echo "|---|---|---:|---:|---:|---:|---:|---:|" | tee -a "$OUT/summary.md"
HZ_TICK=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
  for mode in bus http; do
    API_PORT=$(free_port)
    GATEHOUSE_ISSUER="$ISSUER" API_PORT="$API_PORT" API_CLUSTER_NAME="$CLUSTER" API_CLUSTER_PORT="$HZ_API" API_CLUSTER_MEMBERS="$MEMBERS" \
      API_INTROSPECTION_CLIENT_ID=bench-rs API_INTROSPECTION_CLIENT_SECRET="$RS_SECRET" API_INTROSPECTION_TRANSPORT="$mode" \
      API_INTROSPECTION_CACHE_SECONDS=0 \
      taskset -c 1 "$JAVA" -jar "$WORK/gatehouse-example-api.jar" > "$OUT/api-$round-$mode.log" 2>&1 &
    API_PID=$!; PIDS+=($API_PID)
    code=""
    for _ in $(seq 1 240); do
      code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$API_PORT/user" || true)
      [[ "$code" == 200 ]] && break
      sleep 0.25
    done
    [[ "$code" == 200 ]] || die "the API ($mode) did not answer 200 (last $code); see $OUT/api-$round-$mode.log"
    taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -s "$WORK/tokens.lua" "http://127.0.0.1:$API_PORT/user" > /dev/null
    g0=$(cpu_ticks "$GH_PID"); a0=$(cpu_ticks "$API_PID")
    taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/tokens.lua" "http://127.0.0.1:$API_PORT/user" \
      > "$OUT/wrk-$round-$mode.txt"
    g1=$(cpu_ticks "$GH_PID"); a1=$(cpu_ticks "$API_PID")
    d=$(secs "$DURATION")
    rps=$(awk '/Requests\/sec/ {printf "%d", $2}' "$OUT/wrk-$round-$mode.txt")
    p50=$(awk '$1=="50%" {print $2}' "$OUT/wrk-$round-$mode.txt"); p99=$(awk '$1=="99%" {print $2}' "$OUT/wrk-$round-$mode.txt")
    bad=$(awk '/Non-2xx/ {print $5}' "$OUT/wrk-$round-$mode.txt"); bad=${bad:-0}
    echo "| $round | $mode | $rps | $p50 | $p99 | $bad | $(( (g1 - g0) * 100 / HZ_TICK / d )) | $(( (a1 - a0) * 100 / HZ_TICK / d )) |" | tee -a "$OUT/summary.md"
    kill "$API_PID"; wait "$API_PID" 2>/dev/null || true
  done
done
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); HEAD $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" | tee -a "$OUT/summary.md"
log "results in $OUT"
