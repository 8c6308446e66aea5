#!/usr/bin/env bash
# chaos/chaos.sh: the fault-injection suite (issue 12). Starts a three-node Gatehouse cluster plus the
# resource-server example API on the real PostgreSQL and Redis, injects faults for real, drives workloads
# during and after each fault, and checks the histories (chaos/history.py).
#
#   3 nodes    each in its own network namespace (veth pair onto a bridge this script creates, addresses
#              10.231.S.11-13/24), store.type postgres, cluster.enabled, cluster.expected_members 3, one
#              key set (keys.jwks_file), Redis on; each reaches Postgres and Redis through its own TCP proxy
#              (chaos/proxy.py, listening on the bridge address 10.231.S.1 in the root namespace)
#   the API    modules/resource-server's ExampleApi in the root namespace, a Hazelcast member on the bridge
#              address (event bus channel), with the Redis channel (through its own proxy) and the
#              GET /revocations snapshot for its warm start
#   api2       the same ExampleApi outside the cluster: Redis only (channel and cache, through its own proxy), no
#              event bus, no snapshot; it fails closed 5 s after its last sync once its channel is down
#   the issuer http://127.0.0.1:P, a fail-over TCP proxy ("lb") onto the nodes, so the API's discovery and
#              JWKS work whichever node is down
#
# Scenarios (chaos/scenarios.py): crash (kill -9), pause (SIGSTOP/SIGCONT), partition 1|2 (nftables drop
# rules inside the minority's namespace), latency between the nodes (below, then above cluster.call_timeout),
# redis (refuse, blackhole, delay), postgres (refuse, blackhole, delay), api-restart (warm start), rolling
# restart, clock skew (one node's wall clock 20 s ahead, then behind: chaos/clockskew.c preloaded); in the long
# profile also partition-api (n1 and the API | n2 n3). docs/RELIABILITY.md has what they measured.
# latency: this kernel has no tc netem (CONFIG_NET_SCH_NETEM unset), so latency between the nodes is injected
# by proxies: nftables DNAT inside each node's namespace sends its Hazelcast and event-bus connections to its
# peers through one chaos/proxy.py link per direction (link-ni-nj-hz/-eb), which delays every chunk; latency to
# Postgres and Redis is injected by their proxies.
#
# Usage:  bash chaos/chaos.sh                        # CHAOS_PROFILE=ci: every scenario, briefly (< ~6 min)
#         CHAOS_PROFILE=long bash chaos/chaos.sh     # longer faults, more rounds (~15-20 min)
#         SCENARIOS="crash pause" bash chaos/chaos.sh
# Environment: CHAOS_PROFILE (ci|long), SCENARIOS (space-separated subset), PG_HOST/PG_PORT/PG_USER/PG_DATABASE
#   (127.0.0.1/5432/postgres/test), REDIS_HOST/REDIS_PORT (127.0.0.1/6379), JAVA (java), REBUILD=1,
#   CHAOS_STRICT=1 (known open findings fail the run too),
#   OUT (chaos/runs/<timestamp>), KEEP=1 (keep the work directory), NETNS=0 (everything on loopback, no
#   partition scenario).
# Needs: root (namespaces, nftables), java 17+, python3 >= 3.11, curl, psql, redis-cli, ip, nft (installed
# with apt-get when missing), gcc (the clock scenario's preloaded offset).
# Exit status: 0 when every scenario ran and every safety check passed; 1 when a check failed or a
# scenario could not run; 2 on bad usage or a broken environment.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PROFILE="${CHAOS_PROFILE:-ci}"
PG_HOST="${PG_HOST:-127.0.0.1}"; PG_PORT="${PG_PORT:-5432}"; PG_USER="${PG_USER:-postgres}"; PG_DATABASE="${PG_DATABASE:-test}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"; REDIS_PORT="${REDIS_PORT:-6379}"
JAVA="${JAVA:-java}"
NETNS="${NETNS:-1}"
STAMP="$(date -u +%Y%m%d-%H%M%S)"
OUT="${OUT:-$HERE/runs/$STAMP-$PROFILE}"
GH_JAR="$ROOT/modules/server/target/gatehouse.jar"
API_JAR="$ROOT/modules/resource-server/target/gatehouse-example-api.jar"

log() { printf '[chaos %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $1"; exit "${2:-1}"; }

[[ "$PROFILE" == ci || "$PROFILE" == long ]] || die "CHAOS_PROFILE must be ci or long" 2
[[ $EUID -eq 0 ]] || { log "not root: no network namespaces"; NETNS=0; }
for tool in "$JAVA" python3 curl psql redis-cli; do command -v "$tool" >/dev/null || die "missing $tool" 2; done
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || die "python3 must be 3.11 or newer" 2
if [[ "$NETNS" == 1 ]] && ! command -v nft >/dev/null; then
  log "installing nftables (partition rules)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nftables >/dev/null 2>&1 \
    || { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nftables >/dev/null 2>&1; } \
    || log "nftables could not be installed: the partition scenario will be skipped"
fi

if [[ "${REBUILD:-0}" == 1 || ! -f "$GH_JAR" || ! -f "$API_JAR" ]]; then
  log "building the jars"
  (cd "$ROOT" && mvn -B -q package -DskipTests -pl modules/server,modules/resource-server -am)
fi
mkdir -p "$OUT"
WORK="$(mktemp -d /tmp/gatehouse-chaos.XXXXXX)"
cp "$GH_JAR" "$API_JAR" "$WORK/"

# one run at a time on this machine (the bridge, the CPU)
exec 8>/tmp/gatehouse-chaos.lock
flock -w 1800 8 || die "another chaos run holds /tmp/gatehouse-chaos.lock" 2

ID="$(head -c 2 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SCHEMA="gh_chaos_${ID}_$(date +%s)"
PREFIX="gh-chaos-$ID-$STAMP:"
CHANNEL="gh-chaos-$ID-$STAMP"
CLUSTER="gh-chaos-$ID-$RANDOM$RANDOM"
BR="ghc${ID}br"
NS_PREFIX="ghc${ID}"
PROXY_PID=""; API_PID=""

# free_port, generate_keyset
source "$ROOT/bench/loopback.sh"

cleanup() {
  local rc=$?
  set +e
  rm -f "${FREE_PORTS_TAKEN:-}"
  for f in "$WORK"/node-*.pid "$WORK"/api.pid "$WORK"/api2.pid; do
    [[ -f "$f" ]] || continue
    pid=$(cat "$f"); kill -CONT "$pid" 2>/dev/null; kill -9 "$pid" 2>/dev/null
  done
  [[ -n "$PROXY_PID" ]] && kill "$PROXY_PID" 2>/dev/null
  sleep 0.5
  if [[ "$NETNS" == 1 ]]; then
    for i in 1 2 3; do ip netns del "${NS_PREFIX}n$i" 2>/dev/null; done
    ip link del "$BR" 2>/dev/null
  fi
  psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "$PREFIX*" 2>/dev/null | xargs -r redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" DEL >/dev/null 2>&1
  for f in "$WORK"/*.log; do [[ -f "$f" ]] && cp "$f" "$OUT/" 2>/dev/null; done
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$WORK"
  log "run directory: $OUT (exit $rc)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- network: a bridge in the root namespace, one namespace per node ----------------------------------
if [[ "$NETNS" == 1 ]]; then
  for _ in $(seq 1 50); do
    S=$(( 1 + RANDOM % 250 ))
    ip -4 addr | grep -q "10\.231\.$S\." || break
  done
  NET="10.231.$S"
  HOST_IP="$NET.1"
  log "network: bridge $BR $HOST_IP/24, namespaces ${NS_PREFIX}n1..3 ($NET.11-13)"
  ip link add "$BR" type bridge
  ip addr add "$HOST_IP/24" dev "$BR"
  ip link set "$BR" up
  for i in 1 2 3; do
    ns="${NS_PREFIX}n$i"
    ip netns add "$ns"
    ip link add "${NS_PREFIX}v$i" type veth peer name "${NS_PREFIX}p$i"
    ip link set "${NS_PREFIX}p$i" netns "$ns"
    ip link set "${NS_PREFIX}v$i" master "$BR"
    ip link set "${NS_PREFIX}v$i" up
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" ip addr add "$NET.1$i/24" dev "${NS_PREFIX}p$i"
    ip netns exec "$ns" ip link set "${NS_PREFIX}p$i" up
    ip netns exec "$ns" ip route add default via "$HOST_IP"
  done
  NODE_IP=("" "$NET.11" "$NET.12" "$NET.13")
  NODE_HTTP=(0 8080 8080 8080)
  NODE_HZ=(0 5701 5701 5701)
  NODE_EB=(0 5702 5702 5702)
else
  HOST_IP=127.0.0.1
  NODE_IP=("" 127.0.0.1 127.0.0.1 127.0.0.1)
  NODE_HTTP=(0 "$(free_port)" "$(free_port)" "$(free_port)")
  NODE_HZ=(0 "$(free_port)" "$(free_port)" "$(free_port)")
  NODE_EB=(0 "$(free_port)" "$(free_port)" "$(free_port)")
fi

# ---- proxies --------------------------------------------------------------------------------------------
CTL_PORT=$(free_port); LB_PORT=$(free_port)
PROXY_ARGS=(--control "127.0.0.1:$CTL_PORT")
declare -A PGP RDP
for i in 1 2 3; do
  PGP[$i]=$(free_port); RDP[$i]=$(free_port)
  PROXY_ARGS+=(--proxy "pg-n$i=$HOST_IP:${PGP[$i]}=$PG_HOST:$PG_PORT" --proxy "redis-n$i=$HOST_IP:${RDP[$i]}=$REDIS_HOST:$REDIS_PORT")
done
RDP_API=$(free_port); RDP_API2=$(free_port)
PROXY_ARGS+=(--proxy "redis-api=127.0.0.1:$RDP_API=$REDIS_HOST:$REDIS_PORT" --proxy "redis-api2=127.0.0.1:$RDP_API2=$REDIS_HOST:$REDIS_PORT")
# links between the nodes, one proxy per direction and port (Hazelcast, event bus), for the latency scenario:
# it sends node i's cluster traffic to node j through link-ni-nj-hz / -eb (nftables DNAT inside i's namespace)
LINKS_JSON=""
if [[ "$NETNS" == 1 ]]; then
  for i in 1 2 3; do for j in 1 2 3; do
    [[ $i == "$j" ]] && continue
    lh=$(free_port); le=$(free_port)
    PROXY_ARGS+=(--proxy "link-n$i-n$j-hz=$HOST_IP:$lh=${NODE_IP[$j]}:${NODE_HZ[$j]}" --proxy "link-n$i-n$j-eb=$HOST_IP:$le=${NODE_IP[$j]}:${NODE_EB[$j]}")
    LINKS_JSON+="${LINKS_JSON:+, }{\"from\": \"n$i\", \"to\": \"n$j\", \"hz\": $lh, \"eb\": $le}"
  done; done
fi
PROXY_ARGS+=(--proxy "lb=127.0.0.1:$LB_PORT=${NODE_IP[1]}:${NODE_HTTP[1]},${NODE_IP[2]}:${NODE_HTTP[2]},${NODE_IP[3]}:${NODE_HTTP[3]}")
python3 "$HERE/proxy.py" "${PROXY_ARGS[@]}" --ready-file "$WORK/proxy.ready" > "$WORK/proxy.log" 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 50); do [[ -f "$WORK/proxy.ready" ]] && break; sleep 0.1; done
[[ -f "$WORK/proxy.ready" ]] || die "the proxies did not start (see $WORK/proxy.log)" 2
if [[ "$NETNS" == 1 ]]; then
  for i in 1 2 3; do  # each namespace reaches its proxies on the bridge
    ip netns exec "${NS_PREFIX}n$i" timeout 3 bash -c "exec 3<>/dev/tcp/$HOST_IP/${PGP[$i]}" 2>/dev/null \
      || die "namespace $i cannot reach $HOST_IP:${PGP[$i]}" 2
  done
fi

# ---- seed, keys -----------------------------------------------------------------------------------------
rnd() { local s; s=$(head -c 48 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9'); echo "${s:0:40}"; }  # secrets >= 32 characters
CC_SECRET="cc-$(rnd)"; RS_SECRET="rs-$(rnd)"; ADMIN_SECRET="ad-$(rnd)"; USER_PASSWORD="pw-$(rnd)"
cat > "$WORK/seed.yaml" <<EOF
clients:
  - client_id: chaos-app
    grant_types: [authorization_code, refresh_token]
    token_endpoint_auth_methods: [none]
    scopes: ["read:users"]
    redirect_uris: ["http://127.0.0.1/cb"]
  - client_id: chaos-cc
    client_secret: "$CC_SECRET"
    grant_types: [client_credentials]
    scopes: ["read:users"]
    access_token_ttl: 30m
  - client_id: chaos-rs
    client_secret: "$RS_SECRET"
    grant_types: [client_credentials]
    scopes: []
    can_introspect: true
  - client_id: chaos-admin
    client_secret: "$ADMIN_SECRET"
    grant_types: [client_credentials]
    scopes: ["gatehouse:admin"]
users:
  - username: chaos-user
    password: "$USER_PASSWORD"
EOF

log "generating the key set"
generate_keyset "$JAVA" "$WORK/gatehouse.jar" "$WORK/keys" "$WORK/keys.log"

ISSUER="http://127.0.0.1:$LB_PORT"
API_PORT=$(free_port); API_HZ=$(free_port); API2_PORT=$(free_port)
MEMBERS="${NODE_IP[1]}:${NODE_HZ[1]},${NODE_IP[2]}:${NODE_HZ[2]},${NODE_IP[3]}:${NODE_HZ[3]},$HOST_IP:$API_HZ"

# ---- launchers: scenarios restart processes through these ------------------------------------------------
for i in 1 2 3; do
  ns_exec=""; [[ "$NETNS" == 1 ]] && ns_exec="ip netns exec ${NS_PREFIX}n$i"
  cat > "$WORK/start-node-$i.sh" <<EOF
#!/usr/bin/env bash
# start node $i in the background; \$1 (optional): a wall-clock offset in milliseconds such as 20000 or -20000
# (chaos/clockskew.so preloaded into the JVM itself, so the pid file names the JVM)
if [[ -n "\${1:-}" ]]; then
  export LD_PRELOAD="$WORK/clockskew.so" CHAOS_CLOCK_OFFSET_MS="\$1"
fi
echo "=== start \$(date -u +%H:%M:%S.%N) \${1:-}" >> "$WORK/node-$i.log"
env GATEHOUSE_HTTP_HOST=${NODE_IP[$i]} GATEHOUSE_HTTP_PORT=${NODE_HTTP[$i]} GATEHOUSE_ISSUER="$ISSUER" \\
  GATEHOUSE_DEMO_ENABLED=false GATEHOUSE_HTTP_INSTANCES=1 GATEHOUSE_RATE_LIMIT_ENABLED=false GATEHOUSE_AUDIT_TOKEN_EVENTS=false \\
  GATEHOUSE_KEYS_JWKS_FILE="$WORK/keys/signing-keys.json" GATEHOUSE_KEYS_DATA_DIR="$WORK/data-$i" \\
  GATEHOUSE_STORE_TYPE=postgres GATEHOUSE_POSTGRES_HOST=$HOST_IP GATEHOUSE_POSTGRES_PORT=${PGP[$i]} \\
  GATEHOUSE_POSTGRES_USER="$PG_USER" GATEHOUSE_POSTGRES_DATABASE="$PG_DATABASE" GATEHOUSE_POSTGRES_SCHEMA="$SCHEMA" \\
  GATEHOUSE_CLUSTER_ENABLED=true GATEHOUSE_CLUSTER_NAME="$CLUSTER" GATEHOUSE_CLUSTER_HOST=${NODE_IP[$i]} \\
  GATEHOUSE_CLUSTER_PORT=${NODE_HZ[$i]} GATEHOUSE_CLUSTER_EVENT_BUS_PORT=${NODE_EB[$i]} GATEHOUSE_CLUSTER_MEMBERS="$MEMBERS" \\
  GATEHOUSE_CLUSTER_EXPECTED_MEMBERS=3 \\
  GATEHOUSE_REDIS_ENABLED=true GATEHOUSE_REDIS_URI="redis://$HOST_IP:${RDP[$i]}" \\
  GATEHOUSE_REDIS_KEY_PREFIX="$PREFIX" GATEHOUSE_REDIS_CHANNEL="$CHANNEL" \\
  $ns_exec "$JAVA" -Xmx384m -XX:ActiveProcessorCount=1 -XX:+UseSerialGC -jar "$WORK/gatehouse.jar" --seed "$WORK/seed.yaml" >> "$WORK/node-$i.log" 2>&1 &
echo \$! > "$WORK/node-$i.pid"
EOF
done
# the library brings no SLF4J provider: the APIs log through slf4j-simple when the local Maven repository
# has it (the build fetches it), else not at all
API_RUN=(-jar "$WORK/gatehouse-example-api.jar")
SLF4J_SIMPLE=$(ls "$HOME"/.m2/repository/org/slf4j/slf4j-simple/2.*/slf4j-simple-2.*.jar 2>/dev/null | sort -V | tail -1)
if [[ -n "$SLF4J_SIMPLE" ]]; then
  cp "$SLF4J_SIMPLE" "$WORK/slf4j-simple.jar"
  API_RUN=(-Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS
    -cp "$WORK/gatehouse-example-api.jar:$WORK/slf4j-simple.jar" io.gatehouse.resource.ExampleApi)
fi
cat > "$WORK/start-api.sh" <<EOF
#!/usr/bin/env bash
echo "=== start \$(date -u +%H:%M:%S.%N)" >> "$WORK/api.log"
env GATEHOUSE_ISSUER="$ISSUER" API_PORT=$API_PORT API_CLUSTER_NAME="$CLUSTER" API_CLUSTER_HOST=$HOST_IP API_CLUSTER_PORT=$API_HZ \\
  API_CLUSTER_MEMBERS="$MEMBERS" API_REDIS_URI="redis://127.0.0.1:$RDP_API" API_REDIS_KEY_PREFIX="$PREFIX" API_REDIS_CHANNEL="$CHANNEL" \\
  API_REVOCATIONS_CLIENT_ID=chaos-rs API_REVOCATIONS_CLIENT_SECRET="$RS_SECRET" \\
  "$JAVA" -Xmx256m -XX:+UseSerialGC ${API_RUN[*]} >> "$WORK/api.log" 2>&1 &
echo \$! > "$WORK/api.pid"
EOF
# a second API that hears Redis only: no event bus, no snapshot endpoint (a resource server outside the
# cluster's network); its deny-set warm-starts and catches up from the Redis cache, and it fails closed
# API2_MAX_STALENESS_S after its last successful sync once its channel is down
API2_MAX_STALENESS_S=5
cat > "$WORK/start-api2.sh" <<EOF
#!/usr/bin/env bash
echo "=== start \$(date -u +%H:%M:%S.%N)" >> "$WORK/api2.log"
env GATEHOUSE_ISSUER="$ISSUER" API_PORT=$API2_PORT API_REDIS_URI="redis://127.0.0.1:$RDP_API2" API_REDIS_KEY_PREFIX="$PREFIX" \\
  API_REDIS_CHANNEL="$CHANNEL" API_REVOCATION_MAX_STALENESS_SECONDS=$API2_MAX_STALENESS_S API_REVOCATION_RESYNC_INTERVAL_SECONDS=2 \\
  "$JAVA" -Xmx192m -XX:+UseSerialGC ${API_RUN[*]} >> "$WORK/api2.log" 2>&1 &
echo \$! > "$WORK/api2.pid"
EOF
chmod +x "$WORK"/start-*.sh

STARTS_EXITED=0
wait_node() { # i: until node i's /health/ready is 200; a node that exits during its start is started again
  local i=$1 n
  for n in $(seq 1 720); do
    curl -sf -m 2 "http://${NODE_IP[$i]}:${NODE_HTTP[$i]}/health/ready" >/dev/null 2>&1 && return 0
    if ! kill -0 "$(cat "$WORK/node-$i.pid")" 2>/dev/null; then
      STARTS_EXITED=$((STARTS_EXITED + 1))
      (( STARTS_EXITED <= 6 )) || die "nodes keep exiting during their start; see $WORK/node-$i.log" 2
      log "node $i exited during its start ($(grep -m1 'failed to start' "$WORK/node-$i.log" | tail -c 120)); starting it again"
      bash "$WORK/start-node-$i.sh"
    fi
    sleep 0.25
  done
  die "node $i did not become ready; see $WORK/node-$i.log"
}
wait_live() { # i
  local n
  for n in $(seq 1 480); do curl -s -m 2 -o /dev/null "http://${NODE_IP[$1]}:${NODE_HTTP[$1]}/health/live" && return 0; sleep 0.25; done
}

log "starting node 1 (cluster $CLUSTER, schema $SCHEMA, redis prefix $PREFIX)"
bash "$WORK/start-node-1.sh"
# one at a time (the first one migrates the schema); none is ready before a majority (2 of 3) has joined
wait_live 1
bash "$WORK/start-node-2.sh"
wait_live 2
bash "$WORK/start-node-3.sh"
for i in 1 2 3; do wait_node "$i"; done
echo "$STARTS_EXITED" > "$OUT/starts-exited.txt"
running() { # pid: alive and not a zombie (an exited process nobody has reaped yet)
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z ]]
}
start_api() { # name port label: start it and wait until /user answers 401 (it serves, and refuses no token)
  local name=$1 port=$2 label=$3 code=""
  log "starting $label"
  bash "$WORK/start-$name.sh"
  for _ in $(seq 1 480); do
    code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/user" || true)
    [[ "$code" == 401 ]] && return 0
    running "$(cat "$WORK/$name.pid")" || die "$label exited; see $WORK/$name.log" 2
    sleep 0.25
  done
  die "$label did not become ready (last answer $code); see $WORK/$name.log"
}
start_api api "$API_PORT" "the example API"
start_api api2 "$API2_PORT" "the Redis-only API"

NFT=0; [[ "$NETNS" == 1 ]] && command -v nft >/dev/null && NFT=1
# the clock scenario's wall-clock offset (chaos/clockskew.c; Debian's libfaketime makes the JVM ~1000x slower)
CLOCKSKEW=0
if command -v gcc >/dev/null && gcc -shared -fPIC -O2 -Wno-nonnull-compare -o "$WORK/clockskew.so" "$HERE/clockskew.c" -ldl 2>"$WORK/clockskew.log"; then
  CLOCKSKEW=1
else
  log "chaos/clockskew.c did not build (gcc missing?): the clock scenario will be skipped"
fi
cat > "$WORK/env.json" <<EOF
{
  "profile": "$PROFILE", "work": "$WORK", "issuer": "$ISSUER", "netns": $NETNS, "nft": $NFT, "clockskew": $CLOCKSKEW,
  "ns_prefix": "$NS_PREFIX", "host_ip": "$HOST_IP", "control": ["127.0.0.1", $CTL_PORT],
  "nodes": [
    {"name": "n1", "host": "${NODE_IP[1]}", "port": ${NODE_HTTP[1]}, "hz": ${NODE_HZ[1]}, "eb": ${NODE_EB[1]}, "ns": "${NS_PREFIX}n1"},
    {"name": "n2", "host": "${NODE_IP[2]}", "port": ${NODE_HTTP[2]}, "hz": ${NODE_HZ[2]}, "eb": ${NODE_EB[2]}, "ns": "${NS_PREFIX}n2"},
    {"name": "n3", "host": "${NODE_IP[3]}", "port": ${NODE_HTTP[3]}, "hz": ${NODE_HZ[3]}, "eb": ${NODE_EB[3]}, "ns": "${NS_PREFIX}n3"}
  ],
  "api": {"host": "127.0.0.1", "port": $API_PORT, "hz": $API_HZ},
  "api2": {"host": "127.0.0.1", "port": $API2_PORT, "max_staleness_s": $API2_MAX_STALENESS_S},
  "links": [$LINKS_JSON],
  "clients": {
    "app": {"id": "chaos-app", "redirect_uri": "http://127.0.0.1/cb", "scope": "read:users"},
    "cc": {"id": "chaos-cc", "secret": "$CC_SECRET"},
    "rs": {"id": "chaos-rs", "secret": "$RS_SECRET"},
    "admin": {"id": "chaos-admin", "secret": "$ADMIN_SECRET"}
  },
  "user": {"username": "chaos-user", "password": "$USER_PASSWORD"},
  "config": {"postgres_query_timeout_s": 2, "redis_command_timeout_s": 2, "cluster_call_timeout_s": 2,
             "revocation_resync_interval_s": 5, "revocation_max_staleness_s": 30, "drain_delay_s": 5}
}
EOF
chmod 600 "$WORK/env.json"

log "profile $PROFILE: running scenarios ${SCENARIOS:-all}"
status=0
python3 "$HERE/scenarios.py" --env "$WORK/env.json" --out "$OUT" ${SCENARIOS:+--only "$SCENARIOS"} || status=$?
{
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "HEAD $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty)'), profile $PROFILE"
} > "$OUT/run-info.txt"
python3 "$HERE/history.py" --out "$OUT" || status=1
cat "$OUT/summary.md"
# the closing line CI reads: scenarios that passed and failed their safety checks
[[ -f "$OUT/verdict.txt" ]] && cat "$OUT/verdict.txt" || echo "chaos: 0 passed, 1 failed"
exit $status
