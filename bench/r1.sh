#!/usr/bin/env bash
# bench/r1.sh: R1, revocation propagation, on a small deployment on loopback, every part its own process:
#   node A and node B  Gatehouse, one Hazelcast cluster (TCP-IP on loopback), the real PostgreSQL (a schema of
#                      this run's own, dropped at the end), Redis (a key prefix and channel of this run's own),
#                      one signing key set
#   the API            the resource-server library's example API (GET /user needs read:users), its Vert.x in
#                      the same cluster, so revocations reach it on the event bus
#   the load tool      gatehouse-bench --workload R1: REVOCATIONS rounds of "fresh token, every observer
#                      accepts it, revoke on A, poll B's and A's introspection and the API until each rejects"
# Nodes A and B run on CPU 0, the API and the tool on CPU 1 (PostgreSQL and Redis are not pinned).
#
# Usage:  bench/r1.sh                      # 500 revocations
#         REVOCATIONS=2000 bench/r1.sh
# Environment: REVOCATIONS (500, measured), WARMUP_REVOCATIONS (300, run first and not recorded: JIT warm-up), REDIS (1: use Redis at REDIS_URI, redis://127.0.0.1:6379; 0: bus only),
#   PG_HOST (127.0.0.1), PG_PORT (5432), PG_USER (postgres), PG_DATABASE (test), JAVA (java),
#   REBUILD=1 (build the jars even when present), OUT (bench/runs/<timestamp>-r1), LOCK (/tmp/bench.lock).
# Needs: java 17+, curl, psql, redis-cli (with REDIS=1), taskset, flock; the jars of modules/server, modules/bench
# and modules/resource-server (built here when missing).
# Exit status: 0 when every round was measured with no error; 1 otherwise; 2 on bad usage.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
REVOCATIONS="${REVOCATIONS:-500}"
WARMUP_REVOCATIONS="${WARMUP_REVOCATIONS:-300}"
REDIS="${REDIS:-1}"
REDIS_URI="${REDIS_URI:-redis://127.0.0.1:6379}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
PG_DATABASE="${PG_DATABASE:-test}"
JAVA="${JAVA:-java}"
LOCK="${LOCK:-/tmp/bench.lock}"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="${OUT:-$HERE/runs/$STAMP-r1}"
GH_JAR="$ROOT/modules/server/target/gatehouse.jar"
BENCH_JAR="$ROOT/modules/bench/target/gatehouse-bench.jar"
API_JAR="$ROOT/modules/resource-server/target/gatehouse-example-api.jar"

log() { printf '[r1 %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit "${2:-1}"; }

[[ "$REVOCATIONS" =~ ^[0-9]+$ && "$REVOCATIONS" -gt 0 ]] || die "REVOCATIONS must be a positive number" 2
for tool in "$JAVA" curl psql taskset flock; do command -v "$tool" >/dev/null || die "missing $tool" 2; done
[[ "$REDIS" == 0 ]] || command -v redis-cli >/dev/null || die "missing redis-cli (or REDIS=0)" 2

if [[ "${REBUILD:-0}" == 1 || ! -f "$GH_JAR" || ! -f "$BENCH_JAR" || ! -f "$API_JAR" ]]; then
  log "building the jars"
  (cd "$ROOT" && mvn -B -q package -DskipTests -pl modules/server,modules/resource-server,modules/bench -am)
fi
mkdir -p "$OUT"
WORK="$(mktemp -d /tmp/gatehouse-r1.XXXXXX)"
cp "$GH_JAR" "$BENCH_JAR" "$API_JAR" "$WORK/"

# free_port, generate_keyset
source "$HERE/loopback.sh"

SCHEMA="gh_r1_$(date +%s)_$RANDOM"
PREFIX="gh-r1-$STAMP-$RANDOM:"
CHANNEL="gh-r1-$STAMP-$RANDOM"
PIDS=()
cleanup() {
  local pid
  rm -f "${FREE_PORTS_TAKEN:-}"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  if [[ "$REDIS" != 0 ]]; then
    redis-cli -u "$REDIS_URI" --scan --pattern "$PREFIX*" 2>/dev/null | xargs -r redis-cli -u "$REDIS_URI" DEL >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

exec 9>"$LOCK"
flock -w 3600 9 || die "another benchmark holds $LOCK"

CC_SECRET="r1-cc-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
RS_SECRET="r1-rs-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
cat > "$WORK/seed.yaml" <<EOF
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
EOF

# one key set for both nodes: generated once by the embedded default, then mounted by file
log "generating the key set"
generate_keyset "$JAVA" "$WORK/gatehouse.jar" "$WORK/keys" "$OUT/keys.log"

PORT_A=$(free_port); PORT_B=$(free_port); PORT_API=$(free_port)
HZ_A=$(free_port); HZ_B=$(free_port); HZ_API=$(free_port)
MEMBERS="127.0.0.1:$HZ_A,127.0.0.1:$HZ_B,127.0.0.1:$HZ_API"
CLUSTER="gatehouse-r1-$STAMP-$RANDOM"
ISSUER="http://127.0.0.1:$PORT_A"

node() { # name http-port hz-port
  env GATEHOUSE_HTTP_PORT="$2" GATEHOUSE_ISSUER="$ISSUER" GATEHOUSE_DEMO_ENABLED=false GATEHOUSE_HTTP_INSTANCES=1 GATEHOUSE_RATE_LIMIT_ENABLED=false \
    GATEHOUSE_KEYS_JWKS_FILE="$WORK/keys/signing-keys.json" GATEHOUSE_KEYS_DATA_DIR="$WORK/data-$1" \
    GATEHOUSE_STORE_TYPE=postgres GATEHOUSE_POSTGRES_HOST="$PG_HOST" GATEHOUSE_POSTGRES_PORT="$PG_PORT" \
    GATEHOUSE_POSTGRES_USER="$PG_USER" GATEHOUSE_POSTGRES_DATABASE="$PG_DATABASE" GATEHOUSE_POSTGRES_SCHEMA="$SCHEMA" \
    GATEHOUSE_CLUSTER_ENABLED=true GATEHOUSE_CLUSTER_NAME="$CLUSTER" GATEHOUSE_CLUSTER_PORT="$3" GATEHOUSE_CLUSTER_MEMBERS="$MEMBERS" \
    GATEHOUSE_REDIS_ENABLED=$([[ "$REDIS" != 0 ]] && echo true || echo false) GATEHOUSE_REDIS_URI="$REDIS_URI" \
    GATEHOUSE_REDIS_KEY_PREFIX="$PREFIX" GATEHOUSE_REDIS_CHANNEL="$CHANNEL" \
    taskset -c 0 "$JAVA" -XX:ActiveProcessorCount=1 -jar "$WORK/gatehouse.jar" --seed "$WORK/seed.yaml" > "$OUT/node-$1.log" 2>&1 &
  PIDS+=($!)
}
wait_ready() { # url what
  for _ in $(seq 1 240); do curl -sf "$1" >/dev/null && return 0; sleep 0.25; done
  die "$2 did not become ready ($1); see $OUT"
}

log "starting node A (:$PORT_A) and node B (:$PORT_B), cluster $CLUSTER, schema $SCHEMA, redis $([[ "$REDIS" != 0 ]] && echo on || echo off)"
node a "$PORT_A" "$HZ_A"
wait_ready "http://127.0.0.1:$PORT_A/health/ready" "node A"
node b "$PORT_B" "$HZ_B"
wait_ready "http://127.0.0.1:$PORT_B/health/ready" "node B"
log "starting the example API (:$PORT_API) in the cluster"
GATEHOUSE_ISSUER="$ISSUER" API_PORT="$PORT_API" API_CLUSTER_NAME="$CLUSTER" API_CLUSTER_PORT="$HZ_API" API_CLUSTER_MEMBERS="$MEMBERS" \
  taskset -c 1 "$JAVA" -jar "$WORK/gatehouse-example-api.jar" > "$OUT/api.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 240); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_API/user" || true)
  [[ "$code" == 401 ]] && break
  sleep 0.25
done
[[ "$code" == 401 ]] || die "the API did not become ready (last answer $code); see $OUT/api.log"

log "R1: $REVOCATIONS revocations on A; observers: B's and A's introspection, the API's GET /user"
status=0
taskset -c 1 "$JAVA" -jar "$WORK/gatehouse-bench.jar" --workload R1 --target "http://127.0.0.1:$PORT_A" \
  --observe "http://127.0.0.1:$PORT_B,http://127.0.0.1:$PORT_A" --resource "http://127.0.0.1:$PORT_API/user" \
  --client-id bench-cc --client-secret "$CC_SECRET" --scope read:users --rs-client-id bench-rs --rs-client-secret "$RS_SECRET" \
  --revocations "$REVOCATIONS" --warmup-revocations "$WARMUP_REVOCATIONS" --json "$OUT/r1.json" | tee "$OUT/r1.md" || status=$?
{
  echo
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "nodes on CPU 0 (-XX:ActiveProcessorCount=1), API and load tool on CPU 1; PostgreSQL and Redis unpinned; redis=$REDIS"
  echo "HEAD $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
} | tee -a "$OUT/r1.md"
log "results in $OUT"
exit $(( status == 0 ? 0 : 1 ))
