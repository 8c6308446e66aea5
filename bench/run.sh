#!/usr/bin/env bash
# bench/run.sh: one command for a side-by-side benchmark run of Gatehouse and, optionally, its peers.
#
# Usage (from anywhere; paths are relative to the repository):
#   bench/run.sh                                             # Gatehouse alone: W1 and W3, 15 s warm-up + 30 s each
#   PEERS="oidc-provider keycloak" bench/run.sh              # the same workloads against the peers, in the same run
#   WORKLOADS="W1 W3" DURATION=5s WARMUP=2s PEERS=oidc-provider bench/run.sh   # a smoke run (proves it works; figures mean little)
#   WORKLOADS="W1 W2 W3" PEERS="oidc-provider keycloak" bench/run.sh           # with W2, introspection
#   BUILD=0 WORKLOADS="W1 W2" DURATION=20s WARMUP=10s bench/run.sh              # Gatehouse against the limit probe (W1, W2)
#
# What it does
#   1. Builds modules/server and modules/bench if their jars are missing (REBUILD=1 forces it; BUILD=0 only says how),
#      copies both jars into a private work dir (a concurrent `mvn package` cannot swap them mid-run), and prepares the
#      peers, which are part of this repository (bench/peers/, its README.md): for oidc-provider, `npm ci` of the
#      committed package-lock.json in bench/.cache/oidc-provider/; for Keycloak, the pinned distribution zip fetched
#      from Maven Central with `mvn dependency:copy` into bench/.cache/keycloak/ (once).
#   2. Takes flock $LOCK (/tmp/bench.lock) for the whole measuring part, so no other benchmark on this machine runs
#      at the same time (Keycloak's start, which is heavy, included).
#   3. Gatehouse: a seed file of its own (client bench-cc, client_credentials, scope read, a random 48-char secret,
#      access_token_ttl 1h so that W2's one token outlives the run; with W2 also bench-rs, a resource server with
#      can_introspect: true and a secret of its own; bench-rp and user bench-user for W4/W5),
#      in-memory registry, ES256 (the default), a free loopback port, `taskset -c 0 java -XX:ActiveProcessorCount=1`;
#      waits for /health and checks one token (and with W2 one introspection) by hand, then runs each workload with the
#      project's load tool (`taskset -c 1 java -jar gatehouse-bench.jar ... --json`), then stops it with SIGTERM and
#      waits for it. W2 with the tool: it gets one token from bench-cc itself and introspects it as bench-rs.
#   3b. The limit probe (issue 13 §5; PROBE=0 skips it), for W1 and W2: io.gatehouse.bench.LimitProbe, a minimal Vert.x
#      server on the classes of the same gatehouse.jar (`java -cp gatehouse.jar:gatehouse-bench.jar`), the same seed
#      file and GATEHOUSE_* settings, pinned and limited as Gatehouse (`taskset -c 0 java -XX:ActiveProcessorCount=1`),
#      started after Gatehouse has stopped (PROBE_FIRST=1: before it starts). It answers POST /token and /introspect as
#      Gatehouse does and does nothing else (docs/PERFORMANCE.md, "The limit probe"). It is loaded like Gatehouse: with the
#      load tool, and with wrk (same -t/-c, W2 checked active by hand before and after); with the probe on, Gatehouse's
#      W1 and W2 are measured with wrk too, so that every Gatehouse/limit ratio is between rows of the same tool.
#   4. Peers, each on CPU 0 with the load on CPU 1, same DURATION / WARMUP / CONNECTIONS, same client ids and the same
#      random secrets as Gatehouse (bench-cc, bench-rs), each checked by hand before it is loaded:
#        oidc-provider  bench/peers/oidc-provider/server.mjs (node-oidc-provider, pinned in package.json and the lock
#                       file), a fresh `taskset -c 0 node server.mjs` per workload, at Gatehouse's paths (/token,
#                       /introspect, /jwks). W1: ES256 JWT access tokens (RFC 9068). W2: started with opaque access
#                       tokens, since it refuses to introspect its JWTs. W1 and W2 with wrk (run_wrk, as Gatehouse's wrk
#                       rows), W3 with gatehouse-bench (run_tool, as Gatehouse's).
#        keycloak       bench/peers/keycloak/start.sh (the pinned Keycloak, production mode, H2 dev-file database,
#                       127.0.0.1 only, `taskset -c 0`, -XX:ActiveProcessorCount=1), setup.sh (realm bench through the
#                       admin REST API: ES256 access tokens, or KC_TOKEN_ALG=RS256, the realm default), the workloads
#                       with wrk (run_wrk) at the realm's URLs, stop.sh. gatehouse-bench cannot load it: the JWKS path is
#                       .../certs (the tool asks /jwks), the access token header says typ "JWT", not "at+jwt" (the tool
#                       checks RFC 9068), and introspection is at .../token/introspect (the tool asks /introspect).
#      W2 under wrk, for every server: one token from bench-cc (curl), body `token=<it>`, Basic bench-rs, checked
#      "active":true by hand before and after the run (wrk itself would count {"active":false} as a success).
#      Whenever a peer's row comes from wrk, Gatehouse is measured with wrk too (same -t/-c, same pinning, bench/wrk/req.lua,
#      the same run_wrk), and the Gatehouse/peer ratio is always taken between rows measured with the same tool.
#   5. Prints one markdown table (workload, server, load tool, req/s, p50, p99, errors, Gatehouse/peer, Gatehouse/limit,
#      server CPU %, CPU 0 busy %) under a header that records the machine, and writes it with every raw output to
#      bench/runs/<timestamp>/ (summary.md, results.tsv, the tool's JSON, wrk output, server logs). A row whose server
#      used less than 90 % of its core is marked †: the load tool or other processes set that figure, not the server.
#      On a machine shared with builds and tests, check "CPU 0 busy %" against "server CPU %" before trusting a row.
#   bench/.cache/ (git-ignored) keeps what the peers need between runs: oidc-provider's node_modules, and the Keycloak
#   zip, its unpacked distribution with the H2 database, and its admin password (about 360 MB). Delete it to start over.
#
# Environment
#   WORKLOADS    "W1 W3"   W1 client credentials (client_secret_basic) -> JWT access token; W2 introspection (RFC 7662)
#                          of a valid access token by a resource-server client; W3 GET JWKS.
#                          W4 (code flow on a live session, redemption included) and W5 (refresh with rotation)
#                          run against Gatehouse only (the peers are set up for W1 to W3); R1
#                          (revocation propagation) has its own script, bench/r1.sh. W2 needs a gatehouse.jar with POST /introspect and the seed field
#                          can_introspect (REBUILD=1 when the jar is older).
#   DURATION     30s       measured time per workload (whole seconds, e.g. 5s)
#   WARMUP       15s       warm-up per workload, not reported (0s: none)
#   CONNECTIONS  32        keep-alive connections (closed loop)
#   PEERS        ""        any of: oidc-provider keycloak
#   WRK_THREADS  2         wrk -t for every wrk run
#   LOCK         /tmp/bench.lock    LOCK_WAIT 3600 (seconds to wait for it, then give up)
#   AUTO_INSTALL 1         as root, apt-get install wrk when a peer needs it and it is missing (0: only say how)
#   JAVA         java      JVM for Gatehouse and the load tool;  GH_JAVA_OPTS: extra JVM options for Gatehouse
#   PROBE        1         0: no limit probe (step 3b); it runs for W1 and W2 only, and needs wrk (installed as for peers)
#   PROBE_FIRST  0         1: measure the probe before Gatehouse (alternate the order between rounds on a noisy machine)
#   PROBE_JAVA_OPTS        extra JVM options for the probe (GH_JAVA_OPTS is Gatehouse's alone, e.g. a JFR recording)
#   REBUILD=1 / BUILD=0    see step 1
#   PEER_CACHE   bench/.cache           node_modules, the Keycloak distribution and its data
#   KC_JAVA_HOME           JDK 21+ for Keycloak (default: the first JDK 21+ among JAVA_HOME, java on PATH, /usr/lib/jvm/*)
#   KC_TOKEN_ALG ES256     Keycloak's access token algorithm (RS256: the realm default)
#   KC_START_TIMEOUT 600   seconds Keycloak may take to become ready (its first start also builds the server image)
#   OUT          bench/runs/<timestamp>
#   GH_RATE_LIMIT false    Gatehouse's rate limits (rate_limit.enabled): off by default here, since all the load comes
#                          from one address (127.0.0.1) and would hit the per-address limits; true measures their cost
#   GATEHOUSE_*            passed to the server as usual (recorded in the summary); port, issuer, key dir and demo client
#                          are set by this script.
# Needs: bash, java 17+, curl, jq, flock, taskset, setsid; for oidc-provider node 20.19+/npm and wrk (apt-get install -y wrk);
# for Keycloak a JDK 21+ (KC_JAVA_HOME), mvn (the one download), unzip, ss and wrk.
# CPUs are fixed: server on CPU 0, load on CPU 1.
#
# Exit status: 0 when every run finished with 0 errors; 1 when a run had errors, a run or a server failed
# (the table still shows everything that ran, failed rows included); 2 on bad usage or a missing tool.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
WORKLOADS="${WORKLOADS:-W1 W3}"
DURATION="${DURATION:-30s}"
WARMUP="${WARMUP:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
PEERS="${PEERS:-}"
WRK_THREADS="${WRK_THREADS:-2}"
LOCK="${LOCK:-/tmp/bench.lock}"
LOCK_WAIT="${LOCK_WAIT:-3600}"
JAVA="${JAVA:-java}"
GH_JAVA_OPTS="${GH_JAVA_OPTS:-}"
PROBE="${PROBE:-1}"
PROBE_FIRST="${PROBE_FIRST:-0}"
PROBE_JAVA_OPTS="${PROBE_JAVA_OPTS:-}"
PEER_CACHE="${PEER_CACHE:-$HERE/.cache}"
KC_START_TIMEOUT="${KC_START_TIMEOUT:-600}"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="${OUT:-$HERE/runs/$STAMP}"
SERVER_CPU=0
LOAD_CPU=1
GH_JAR_SRC="$ROOT/modules/server/target/gatehouse.jar"
BENCH_JAR_SRC="$ROOT/modules/bench/target/gatehouse-bench.jar"
BUILD_CMD="cd $ROOT && mvn -B -q package -DskipTests -pl modules/server,modules/bench -am"

exec {LOG_FD}>&2   # log() writes here, also from a trap that runs while stdout/stderr point into a raw-output file
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&"$LOG_FD"; }
die() { log "ERROR: $*"; exit "${2:-1}"; }
usage_die() { log "ERROR: $*"; exit 2; }

# ---- arguments -------------------------------------------------------------------------------------------------
[[ "$DURATION" =~ ^[0-9]+s$ && "${DURATION%s}" -gt 0 ]] || usage_die "DURATION must be whole seconds, e.g. 30s (got '$DURATION')"
[[ "$WARMUP" =~ ^[0-9]+s$ ]] || usage_die "WARMUP must be whole seconds, e.g. 15s or 0s (got '$WARMUP')"
[[ "$CONNECTIONS" =~ ^[0-9]+$ && "$CONNECTIONS" -gt 0 ]] || usage_die "CONNECTIONS must be a positive number"
for w in $WORKLOADS; do
  case "$w" in
    W1|W2|W3|W4|W5) ;;
    R1) usage_die "R1 runs on a cluster of its own: bench/r1.sh (two clustered nodes, Postgres, Redis and a resource server)" ;;
    *) usage_die "unknown workload '$w' (W1 W2 W3 W4 W5)" ;;
  esac
done
for p in $PEERS; do
  case "$p" in oidc-provider|keycloak) ;; *) usage_die "unknown peer '$p' (oidc-provider keycloak)" ;; esac
done
[ -n "$WORKLOADS" ] || usage_die "WORKLOADS is empty"
for t in curl jq flock taskset setsid awk; do command -v "$t" >/dev/null || usage_die "$t is missing"; done
command -v "$JAVA" >/dev/null || usage_die "no java at '$JAVA' (set JAVA)"
[ "$(nproc --all)" -ge 2 ] || usage_die "needs 2 CPUs (server on CPU 0, load on CPU 1); this machine has $(nproc --all)"

# Which tool loads peer P with workload W (see the header for why).
peer_tool() {
  case "$1:$2" in
    oidc-provider:W3) echo gatehouse-bench ;;
    *) echo wrk ;;
  esac
}
# The peers are set up for W1, W2 and W3 only: W4 and W5 (the code flow and refresh) run against Gatehouse alone.
PEER_WORKLOADS=""
for w in $WORKLOADS; do case "$w" in W1|W2|W3) PEER_WORKLOADS="$PEER_WORKLOADS $w" ;; esac; done
NEED_WRK=""
for w in $PEER_WORKLOADS; do for p in $PEERS; do [ "$(peer_tool "$p" "$w")" = wrk ] && NEED_WRK="$NEED_WRK $w"; done; done
# The limit probe answers W1 and W2 (issue 13 §5). It and Gatehouse are measured with the load tool and with wrk, the
# cheaper client: on the probe the load tool may be what sets the rate (a † row), which would hide the ratio.
PROBE_WORKLOADS=""
if [ "$PROBE" = 1 ]; then
  for w in $WORKLOADS; do case "$w" in W1|W2) PROBE_WORKLOADS="$PROBE_WORKLOADS $w"; NEED_WRK="$NEED_WRK $w" ;; esac; done
fi
NEED_WRK="$(tr ' ' '\n' <<<"$NEED_WRK" | sort -u | xargs)"
if [ -n "$NEED_WRK" ] && ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ "${AUTO_INSTALL:-1}" = 1 ]; then
    log "wrk is missing: apt-get install -y wrk (AUTO_INSTALL=0 to refuse)"
    { apt-get update -qq && apt-get install -y -qq wrk; } >&2 || usage_die "could not install wrk"
  else
    usage_die "wrk is missing (apt-get install -y wrk)"
  fi
fi

# ---- state and cleanup -----------------------------------------------------------------------------------------
mkdir -p "$OUT"
WORK="$(mktemp -d /tmp/gatehouse-bench.XXXXXX)"
RESULTS="$OUT/results.tsv"
: > "$RESULTS"
FAILURES=()
CUR_PID=""      # foreground child (its own process group, via setsid)
GH_PID=""       # Gatehouse
PEER_PID=""     # a peer server started here (oidc-provider for the tool's workloads)
PROBE_PID=""    # the limit probe
KC_STARTED=0
LOCK_FD=""

kill_group() { # PID: TERM its process group, wait up to 20 s, then KILL
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  rm -f "${FREE_PORTS_TAKEN:-}"
  [ -n "$CUR_PID" ] && { log "cleanup: stopping running load/peer script (pgid $CUR_PID)"; kill_group "$CUR_PID"; }
  [ -n "$GH_PID" ] && { log "cleanup: stopping Gatehouse (pid $GH_PID)"; kill_group "$GH_PID"; }
  [ -n "$PEER_PID" ] && { log "cleanup: stopping peer server (pid $PEER_PID)"; kill_group "$PEER_PID"; }
  [ -n "$PROBE_PID" ] && { log "cleanup: stopping the limit probe (pid $PROBE_PID)"; kill_group "$PROBE_PID"; }
  if [ "$KC_STARTED" = 1 ]; then log "cleanup: stopping Keycloak"; KC_CACHE="$KC_CACHE" "$KC_PEER/stop.sh" >> "$OUT/keycloak-stop.log" 2>&1 || true; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# Run a command in the foreground but in its own session/process group (so cleanup can end it and all it
# started), without the lock fd (a leftover child, such as the Keycloak JVM, must never keep the lock).
spawn_fg() {
  local rc=0
  if [ -n "$LOCK_FD" ]; then setsid "$@" {LOCK_FD}>&- {LOG_FD}>&- & else setsid "$@" {LOG_FD}>&- & fi
  CUR_PID=$!
  wait "$CUR_PID" || rc=$?
  CUR_PID=""
  return "$rc"
}
spawn_bg() { # like spawn_fg, but returns at once; the PID is in SPAWNED
  if [ -n "$LOCK_FD" ]; then setsid "$@" {LOCK_FD}>&- {LOG_FD}>&- & else setsid "$@" {LOG_FD}>&- & fi
  SPAWNED=$!
}

b64url_decode() { local s="${1//-/+}"; s="${s//_//}"; while [ $(( ${#s} % 4 )) -ne 0 ]; do s="$s="; done; printf '%s' "$s" | base64 -d 2>/dev/null; }

# free_port
source "$HERE/loopback.sh"

# ---- measurements ----------------------------------------------------------------------------------------------
CLK="$(getconf CLK_TCK)"
proc_ticks() { [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] && awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat" || echo ""; }
cpu0_sample() { awk -v c="cpu$SERVER_CPU" '$1 == c {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
S_T0=""; S_C0=""; S_B0=""; S_PID=""
sample_start() { S_PID="${1:-}"; S_T0="$(date +%s%N)"; S_C0="$(proc_ticks "$S_PID")"; S_B0="$(cpu0_sample)"; }
# sets SRV_CPU (server process CPU %, of one core) and CPU0_BUSY (% of CPU 0 busy with anything) since sample_start
sample_end() {
  local t1 c1 b1
  t1="$(date +%s%N)"; c1="$(proc_ticks "$S_PID")"; b1="$(cpu0_sample)"
  if [ -n "$S_C0" ] && [ -n "$c1" ]; then
    SRV_CPU="$(awk -v c="$((c1 - S_C0))" -v k="$CLK" -v ns="$((t1 - S_T0))" 'BEGIN {printf "%.0f", 100 * c / k / (ns / 1e9)}')"
  else
    SRV_CPU="-"
  fi
  CPU0_BUSY="$(awk -v a="$S_B0" -v b="$b1" 'BEGIN {split(a, x, " "); split(b, y, " "); d = y[2] - x[2]; printf "%.0f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0)}')"
}

# results.tsv: workload server label tool rps p50_ms p99_ms errors srv_cpu cpu0_busy status raw
add_result() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RESULTS"
  local status="${11}" errors="${8}"
  if [ "$status" != ok ]; then
    FAILURES+=("$1 $2 ($4): $status")
  elif [ "$errors" != 0 ]; then
    FAILURES+=("$1 $2 ($4): errors: $errors (see ${12})")
  fi
  log "$1 $2 ($4): ${5} req/s, p50 ${6} ms, p99 ${7} ms, errors ${8}, server CPU ${9}%, CPU$SERVER_CPU busy ${10}% [$status]"
}
fail_result() { # WORKLOAD SERVER LABEL TOOL WHY RAW
  add_result "$1" "$2" "$3" "$4" - - - - - - "FAILED: $5" "$6"
}

# "rps p50_ms p99_ms errors" (tab-separated) from a wrk --latency report (errors = non-2xx/3xx + socket errors)
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
      if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
      return v + 0
    }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { gsub(/,/, ""); sock = $4 + $6 + $8 + $10 }
    END {
      if (rps == "") exit 1
      err = non2xx + sock
      if (err > 0) err = sprintf("%d (non-2xx/3xx %d, socket %d)", err, non2xx, sock)
      printf "%.0f\t%.2f\t%.2f\t%s\n", rps, p50, p99, err
    }' "$1"
}

# gatehouse-bench against TARGET, workload W; SERVER PID for the CPU figures
run_tool() { # SERVER LABEL W TARGET PID [extra args]
  local server="$1" label="$2" w="$3" target="$4" pid="$5"; shift 5
  local json="$OUT/$server-$w.json" txt="$OUT/$server-$w.txt" rc=0 rps p50 p99 errors
  log "$w $server: gatehouse-bench, warm-up $WARMUP + $DURATION, $CONNECTIONS connections"
  rm -f "$json"
  sample_start "$pid"
  spawn_fg taskset -c "$LOAD_CPU" "$JAVA" -jar "$WORK/gatehouse-bench.jar" --workload "$w" --target "$target" \
    --connections "$CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP" --json "$json" "$@" > "$txt" 2>&1 || rc=$?
  sample_end
  if [ ! -s "$json" ] || { [ "$rc" != 0 ] && [ "$rc" != 3 ]; }; then
    tail -5 "$txt" >&2 || true
    fail_result "$w" "$server" "$label" gatehouse-bench "load tool exited $rc" "$(basename "$txt")"
    return 0
  fi
  IFS=$'\t' read -r rps p50 p99 errors < <(jq -r '[.requests_per_second, .latency_ms.p50, .latency_ms.p99,
    (([.errors[]] | add // 0) as $n | if $n == 0 then "0" else "\($n) (\(.errors | to_entries | map("\(.key) \(.value)") | join(", ")))" end)] | @tsv' "$json")
  p50="$(printf '%.2f' "$p50")"; p99="$(printf '%.2f' "$p99")"
  add_result "$w" "$server" "$label" gatehouse-bench "$rps" "$p50" "$p99" "$errors" "$SRV_CPU" "$CPU0_BUSY" ok "$(basename "$json")"
}

# wrk against one server (Gatehouse, the limit probe or a peer), workload W, with bench/wrk/req.lua: every server is
# loaded by this same code, only the URLs differ. SERVER PID for the CPU figures. W2: one token (bench-cc, 1h) from the
# server's token endpoint; wrk counts any 200, so it is checked active by hand before and after the run.
run_wrk() { # SERVER LABEL W PID TOKEN_URL INTROSPECT_URL JWKS_URL
  local server="$1" label="$2" w="$3" pid="$4" token_url="$5" introspect_url="$6" jwks_url="$7"
  local wenv url tok="" active after rc parsed rps p50 p99 errors
  case "$w" in
    W1) wenv=(WRK_METHOD=POST "WRK_BODY=grant_type=client_credentials&scope=read" "WRK_AUTH=$WRK_CC_AUTH"); url="$token_url" ;;
    W2) tok="$(srv_token "$token_url")"
        wenv=(WRK_METHOD=POST "WRK_BODY=token=$tok" "WRK_AUTH=$WRK_RS_AUTH"); url="$introspect_url" ;;
    W3) wenv=(WRK_METHOD=GET WRK_BODY= WRK_AUTH=); url="$jwks_url" ;;
  esac
  if [ "$w" = W2 ]; then
    active="$(srv_introspect "$introspect_url" "$tok" "$OUT/$server-W2-wrk.before.json")"
    if [ "$active" != "200 true" ]; then
      fail_result W2 "$server" "$label" "wrk -t$WRK_THREADS" "by hand before the run, introspection answered HTTP/active '$active'" \
        "$server-W2-wrk.before.json"
      return 0
    fi
  fi
  log "$w $server: wrk -t$WRK_THREADS -c$CONNECTIONS, warm-up $WARMUP + $DURATION"
  rc=0
  if [ "${WARMUP%s}" -gt 0 ]; then
    spawn_fg env "${wenv[@]}" taskset -c "$LOAD_CPU" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" \
      -s "$HERE/wrk/req.lua" "$url" > "$OUT/$server-$w-wrk-warmup.txt" 2>&1 || rc=$?
  fi
  sample_start "$pid"
  [ "$rc" = 0 ] && { spawn_fg env "${wenv[@]}" taskset -c "$LOAD_CPU" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" \
    --latency -s "$HERE/wrk/req.lua" "$url" > "$OUT/$server-$w-wrk.txt" 2>&1 || rc=$?; }
  sample_end
  after=""
  if [ "$w" = W2 ]; then
    active="$(srv_introspect "$introspect_url" "$tok" "$OUT/$server-W2-wrk.after.json")"
    [ "$active" = "200 true" ] || after="the introspected token is not active after the run ($active): wrk may have counted {\"active\":false} answers"
  fi
  if [ -n "$after" ]; then
    fail_result "$w" "$server" "$label" "wrk -t$WRK_THREADS" "$after" "$server-W2-wrk.after.json"
  elif [ "$rc" = 0 ] && parsed="$(parse_wrk "$OUT/$server-$w-wrk.txt")"; then
    IFS=$'\t' read -r rps p50 p99 errors <<<"$parsed"
    add_result "$w" "$server" "$label" "wrk -t$WRK_THREADS" "$rps" "$p50" "$p99" "$errors" "$SRV_CPU" "$CPU0_BUSY" ok "$server-$w-wrk.txt"
  else
    fail_result "$w" "$server" "$label" "wrk -t$WRK_THREADS" "wrk exited $rc" "$server-$w-wrk.txt"
  fi
}

# ---- step 1: build and prepare -----------------------------------------------------------------------------------
if [ "${REBUILD:-0}" = 1 ] || [ ! -f "$GH_JAR_SRC" ] || [ ! -f "$BENCH_JAR_SRC" ]; then
  if [ "${BUILD:-1}" = 0 ]; then
    usage_die "jars missing ($GH_JAR_SRC, $BENCH_JAR_SRC); build them with: $BUILD_CMD"
  fi
  log "building: $BUILD_CMD"
  (cd "$ROOT" && mvn -B -q package -DskipTests -pl modules/server,modules/bench -am) >&2 || die "build failed"
fi
newest_src="$(find "$ROOT/modules" -path '*/src/main/*' -type f -newer "$GH_JAR_SRC" 2>/dev/null | head -3 || true)"
[ -z "$newest_src" ] || log "WARNING: sources newer than gatehouse.jar (REBUILD=1 to rebuild): $(tr '\n' ' ' <<<"$newest_src")"
GH_JAR_INFO="gatehouse.jar of $(date -r "$GH_JAR_SRC" '+%Y-%m-%d %H:%M'), sha256 $(sha256sum "$GH_JAR_SRC" | cut -c1-12)"
cp "$GH_JAR_SRC" "$WORK/gatehouse.jar"
cp "$BENCH_JAR_SRC" "$WORK/gatehouse-bench.jar"

# The peers are part of this repository (bench/peers/, see its README.md); what they need at run time goes to the
# git-ignored PEER_CACHE (bench/.cache/): node_modules, the Keycloak distribution and its database.
OIDC_SRC="$HERE/peers/oidc-provider"
OIDC_DIR="$PEER_CACHE/oidc-provider"
KC_PEER="$HERE/peers/keycloak"
KC_CACHE="$PEER_CACHE/keycloak"
KC_TOKEN_ALG="${KC_TOKEN_ALG:-ES256}"
OIDC_LABEL="oidc-provider"; OIDC_ERR=""
KC_LABEL="Keycloak"; KC_ERR=""; KC_JH=""
for p in $PEERS; do
  case "$p" in
    oidc-provider)
      command -v node >/dev/null && command -v npm >/dev/null || { OIDC_ERR="node/npm missing"; continue; }
      # server.mjs runs from the cache, beside the node_modules that npm ci installs from the committed lock file
      mkdir -p "$OIDC_DIR"
      cp "$OIDC_SRC/package.json" "$OIDC_SRC/package-lock.json" "$OIDC_SRC/.npmrc" "$OIDC_SRC/server.mjs" "$OIDC_DIR/"
      if ! cmp -s "$OIDC_DIR/package-lock.json" "$OIDC_DIR/node_modules/.bench-package-lock.json" 2>/dev/null; then
        log "oidc-provider: npm ci in $OIDC_DIR"
        (cd "$OIDC_DIR" && npm ci --no-audit --no-fund) > "$OUT/oidc-provider-npm-ci.log" 2>&1 \
          || { OIDC_ERR="npm ci failed (see oidc-provider-npm-ci.log)"; continue; }
        cp "$OIDC_DIR/package-lock.json" "$OIDC_DIR/node_modules/.bench-package-lock.json"
      fi
      OIDC_LABEL="oidc-provider $(node -p "require('$OIDC_DIR/node_modules/oidc-provider/package.json').version") (node $(node -v))"
      ;;
    keycloak)
      # shellcheck disable=SC1091
      kcv="$(KC_CACHE="$KC_CACHE" bash -c 'source "$1/common.sh"; echo "$KC_VERSION|$(kc_find_java || true)"' _ "$KC_PEER")" || kcv=""
      IFS='|' read -r KC_VERSION_SEEN KC_JH <<<"$kcv"
      KC_LABEL="Keycloak ${KC_VERSION_SEEN:-?}"
      if [ -z "$KC_JH" ] || [ ! -x "$KC_JH/bin/java" ]; then
        KC_ERR="no JDK 21+ found (looked at KC_JAVA_HOME, JAVA_HOME, java on PATH, /usr/lib/jvm/*; set KC_JAVA_HOME)"; continue
      fi
      KC_LABEL="Keycloak $KC_VERSION_SEEN ($("$KC_JH/bin/java" -version 2>&1 | awk -F'"' '/version/{print "JDK " $2; exit}'))"
      command -v unzip >/dev/null || { KC_ERR="unzip missing"; continue; }
      # the 170 MB distribution is fetched here (mvn, from Maven Central), before the lock, not by start.sh under it
      KC_CACHE="$KC_CACHE" "$KC_PEER/start.sh" --fetch > "$OUT/keycloak-download.log" 2>&1 \
        || { KC_ERR="could not fetch the distribution from Maven Central (see keycloak-download.log)"; continue; }
      ;;
  esac
done

# ---- step 2: the lock ------------------------------------------------------------------------------------------
[ -e "$LOCK" ] || touch "$LOCK"
exec {LOCK_FD}>>"$LOCK"
if ! flock -n "$LOCK_FD"; then
  log "waiting for $LOCK (someone else is benchmarking; up to ${LOCK_WAIT}s)"
  flock -w "$LOCK_WAIT" "$LOCK_FD" || die "could not get $LOCK within ${LOCK_WAIT}s"
fi
log "holding $LOCK; results go to $OUT"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
RUN_START="$(date -Is)"

# ---- step 3: the seed file, shared by Gatehouse and the limit probe ---------------------------------------------
SECRET="$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"     # 48 hex characters
RS_SECRET="$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"  # bench-rs's own
# bench-cc's tokens live 1h: W2 introspects one token for the whole run (warm-up and measurement, both tools)
cat > "$WORK/seed.yaml" <<EOF
clients:
  - client_id: bench-cc
    client_secret: "$SECRET"
    grant_types: [client_credentials]
    scopes: [read]
    token_endpoint_auth_methods: [client_secret_basic]
    access_token_ttl: 1h
  - client_id: bench-rp
    client_secret: "$SECRET"
    grant_types: [authorization_code, refresh_token]
    scopes: [read]
    redirect_uris: ["https://rp.bench.example/cb"]
EOF
if [[ " $WORKLOADS " == *" W2 "* ]]; then
  # W2's resource server. Only when W2 runs, so that a gatehouse.jar from before can_introspect (which refuses the
  # seed field) still runs the other workloads.
  cat >> "$WORK/seed.yaml" <<EOF
  - client_id: bench-rs
    client_secret: "$RS_SECRET"
    grant_types: [client_credentials]
    scopes: []
    can_introspect: true
EOF
fi
cat >> "$WORK/seed.yaml" <<EOF
users:
  - username: bench-user
    password: "$SECRET"
EOF
GH_PORT="$(free_port)"
GH_BASE="http://127.0.0.1:$GH_PORT"
srv_token() { # TOKEN_URL: a bench-cc access token (client credentials, scope read) on stdout; empty when refused
  curl -s -u "bench-cc:$SECRET" -d grant_type=client_credentials -d scope=read "$1" | jq -r '.access_token // empty' 2>/dev/null || true
}
srv_introspect() { # INTROSPECT_URL TOKEN FILE: POST as bench-rs; prints "<status> <active>" (e.g. "200 true"); body in FILE
  local code
  code="$(curl -s -D "$3.headers" -o "$3" -w '%{http_code}' -u "bench-rs:$RS_SECRET" --data-urlencode "token=$2" \
    "$1" || true)"
  printf '%s %s\n' "$code" "$(jq -r 'if type == "object" and (.active | type) == "boolean" then .active else "invalid" end' "$3" 2>/dev/null || echo invalid)"
}
gh_token() { srv_token "$GH_BASE/token"; }
gh_introspect() { srv_introspect "$GH_BASE/introspect" "$@"; }
# wrk's Authorization headers (bench-cc for W1, bench-rs for W2)
WRK_CC_AUTH="Basic $(printf '%s:%s' bench-cc "$SECRET" | base64 -w0)"
WRK_RS_AUTH="Basic $(printf '%s:%s' bench-rs "$RS_SECRET" | base64 -w0)"
# ---- step 3b: the limit probe (issue 13 §5) ----------------------------------------------------------------------
# io.gatehouse.bench.LimitProbe from gatehouse-bench.jar, run on the classes of the gatehouse.jar measured here (that
# jar first on the class path), with the same seed file and GATEHOUSE_* settings, pinned and limited like Gatehouse.
PROBE_LABEL="limit probe"
run_probe() {
  local port base log="$OUT/probe.log" up=0 w
  port="$(free_port)"
  base="http://127.0.0.1:$port"
  log "starting the limit probe on $base (CPU $SERVER_CPU, -XX:ActiveProcessorCount=1)"
  # shellcheck disable=SC2086
  spawn_bg env GATEHOUSE_HTTP_HOST=127.0.0.1 GATEHOUSE_HTTP_PORT="$port" GATEHOUSE_ISSUER="$base" GATEHOUSE_DEMO_ENABLED=false \
    taskset -c "$SERVER_CPU" "$JAVA" -XX:ActiveProcessorCount=1 $PROBE_JAVA_OPTS -cp "$WORK/gatehouse.jar:$WORK/gatehouse-bench.jar" \
    io.gatehouse.bench.LimitProbe --seed "$WORK/seed.yaml" > "$log" 2>&1
  PROBE_PID=$SPAWNED
  for _ in $(seq 1 600); do
    kill -0 "$PROBE_PID" 2>/dev/null || break
    grep -q '^limit probe listening on port' "$log" 2>/dev/null && { up=1; break; }
    sleep 0.1
  done
  PROBE_PROVIDER="$(grep -m1 -o 'ES256 through .*' "$log" || true)"
  if [ "$up" = 1 ]; then
    for w in $PROBE_WORKLOADS; do
      case "$w" in
        W1) run_tool probe "$PROBE_LABEL" W1 "$base" "$PROBE_PID" --client-id bench-cc --client-secret "$SECRET" --scope read ;;
        W2) run_tool probe "$PROBE_LABEL" W2 "$base" "$PROBE_PID" --client-id bench-cc --client-secret "$SECRET" --scope read \
            --rs-client-id bench-rs --rs-client-secret "$RS_SECRET" ;;
      esac
      if [[ " $NEED_WRK " == *" $w "* ]]; then run_wrk probe "$PROBE_LABEL" "$w" "$PROBE_PID" "$base/token" "$base/introspect" "$base/jwks"; fi
    done
  else
    tail -20 "$log" >&2 || true
    for w in $PROBE_WORKLOADS; do fail_result "$w" probe "$PROBE_LABEL" gatehouse-bench "the limit probe did not start (probe.log)" probe.log; done
  fi
  log "stopping the limit probe"
  kill_group "$PROBE_PID"; PROBE_PID=""
}
if [ -n "$PROBE_WORKLOADS" ] && [ "$PROBE_FIRST" = 1 ]; then run_probe; fi

# ---- step 3c: Gatehouse ----------------------------------------------------------------------------------------
GH_LABEL="Gatehouse"
# what the tree was at run time; the jar may be older (see the warning about sources newer than the jar)
GH_TREE="tree at HEAD $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- modules pom.xml 2>/dev/null || echo ' with uncommitted changes')"
log "starting Gatehouse on $GH_BASE (CPU $SERVER_CPU, -XX:ActiveProcessorCount=1)"
# shellcheck disable=SC2086
spawn_bg env GATEHOUSE_HTTP_HOST=127.0.0.1 GATEHOUSE_HTTP_PORT="$GH_PORT" GATEHOUSE_ISSUER="$GH_BASE" \
  GATEHOUSE_KEYS_DATA_DIR="$WORK/gatehouse-data" GATEHOUSE_DEMO_ENABLED=false GATEHOUSE_RATE_LIMIT_ENABLED="${GH_RATE_LIMIT:-false}" \
  taskset -c "$SERVER_CPU" "$JAVA" -XX:ActiveProcessorCount=1 $GH_JAVA_OPTS -jar "$WORK/gatehouse.jar" --seed "$WORK/seed.yaml" \
  > "$OUT/gatehouse.log" 2>&1
GH_PID=$SPAWNED
GH_OK=0
for _ in $(seq 1 600); do
  kill -0 "$GH_PID" 2>/dev/null || break
  if curl -sf -m 2 -o /dev/null "$GH_BASE/health"; then GH_OK=1; break; fi
  sleep 0.2
done
GH_PROVIDER="$(grep -m1 -o 'signing .*provider.*' "$OUT/gatehouse.log" | sed 's/ key [^ ]*//g' || true)"
if [ "$GH_OK" = 1 ]; then
  # one token by hand: 200 and an RFC 9068 header, else the run would only measure errors
  code="$(curl -s -o "$OUT/gatehouse-W1.sample.json" -w '%{http_code}' -u "bench-cc:$SECRET" \
    -d grant_type=client_credentials -d scope=read "$GH_BASE/token" || true)"
  typ="$(b64url_decode "$(jq -r '.access_token' "$OUT/gatehouse-W1.sample.json" 2>/dev/null | cut -d. -f1)" | jq -r .typ 2>/dev/null || true)"
  jq '.access_token |= (.[0:24] + "...")' "$OUT/gatehouse-W1.sample.json" > "$OUT/gatehouse-W1.sample.tmp" 2>/dev/null \
    && mv "$OUT/gatehouse-W1.sample.tmp" "$OUT/gatehouse-W1.sample.json" || true
  [ "$code" = 200 ] && [ "$typ" = at+jwt ] || log "WARNING: by-hand token request answered HTTP $code typ '$typ'"
  if [[ " $WORKLOADS " == *" W2 "* ]]; then
    # one introspection by hand: 200, Cache-Control no-store and "active":true, else W2 would only measure errors
    tok="$(gh_token)"
    active="$(gh_introspect "$tok" "$OUT/gatehouse-W2.sample.json")"
    grep -qi '^cache-control:.*no-store' "$OUT/gatehouse-W2.sample.json.headers" 2>/dev/null \
      || log "WARNING: by-hand introspection answered without Cache-Control: no-store"
    [ "$active" = "200 true" ] || log "WARNING: by-hand introspection answered HTTP/active '$active' (gatehouse-W2.sample.json)"
  fi
  for w in $WORKLOADS; do
    case "$w" in
      W1) run_tool gatehouse "$GH_LABEL" W1 "$GH_BASE" "$GH_PID" --client-id bench-cc --client-secret "$SECRET" --scope read ;;
      W2) run_tool gatehouse "$GH_LABEL" W2 "$GH_BASE" "$GH_PID" --client-id bench-cc --client-secret "$SECRET" --scope read \
          --rs-client-id bench-rs --rs-client-secret "$RS_SECRET" ;;
      W3) run_tool gatehouse "$GH_LABEL" W3 "$GH_BASE" "$GH_PID" ;;
      W4|W5) run_tool gatehouse "$GH_LABEL" "$w" "$GH_BASE" "$GH_PID" --client-id bench-rp --client-secret "$SECRET" --scope read \
          --redirect-uri https://rp.bench.example/cb --username bench-user --password "$SECRET" ;;
    esac
    if [[ " $NEED_WRK " == *" $w "* ]]; then
      # the same server under wrk, for the same-tool ratio against peers (and the limit probe) loaded with wrk
      run_wrk gatehouse "$GH_LABEL" "$w" "$GH_PID" "$GH_BASE/token" "$GH_BASE/introspect" "$GH_BASE/jwks"
    fi
  done
  log "stopping Gatehouse (SIGTERM)"
  kill -TERM "$GH_PID" 2>/dev/null || true
  rc=0
  for _ in $(seq 1 300); do kill -0 "$GH_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$GH_PID" 2>/dev/null; then
    FAILURES+=("Gatehouse did not stop within 30 s of SIGTERM (killed)"); kill_group "$GH_PID"
  else
    wait "$GH_PID" 2>/dev/null || rc=$?
    # a JVM ended by SIGTERM after its shutdown hooks exits 143
    [ "$rc" = 0 ] || [ "$rc" = 143 ] || FAILURES+=("Gatehouse exited $rc on SIGTERM (see gatehouse.log)")
  fi
  GH_PID=""
else
  tail -20 "$OUT/gatehouse.log" >&2 || true
  for w in $WORKLOADS; do fail_result "$w" gatehouse "$GH_LABEL" gatehouse-bench "Gatehouse did not start (gatehouse.log)" gatehouse.log; done
  kill_group "$GH_PID"; GH_PID=""
fi
if [ -n "$PROBE_WORKLOADS" ] && [ "$PROBE_FIRST" != 1 ]; then run_probe; fi

# ---- step 4: peers ---------------------------------------------------------------------------------------------
# The peers' by-hand checks before a run: the same as Gatehouse's, at each peer's own URLs.
peer_check() { # SERVER W TOKEN_URL INTROSPECT_URL JWKS_URL: logs a WARNING when the peer does not answer as expected
  local server="$1" w="$2" code body typ
  case "$w" in
    W1) code="$(curl -s -o "$OUT/$server-W1.sample.json" -w '%{http_code}' -u "bench-cc:$SECRET" \
          -d grant_type=client_credentials -d scope=read "$3" || true)"
        typ="$(b64url_decode "$(jq -r '.access_token' "$OUT/$server-W1.sample.json" 2>/dev/null | cut -d. -f1)" | jq -r '"\(.typ) \(.alg)"' 2>/dev/null || true)"
        jq '.access_token |= (.[0:24] + "...")' "$OUT/$server-W1.sample.json" > "$OUT/$server-W1.sample.tmp" 2>/dev/null \
          && mv "$OUT/$server-W1.sample.tmp" "$OUT/$server-W1.sample.json" || true
        log "W1 $server: by hand HTTP $code, access token typ/alg '$typ'"
        [ "$code" = 200 ] || log "WARNING: $server answered the by-hand token request with HTTP $code ($server-W1.sample.json)" ;;
    W3) body="$(curl -s "$5" | jq '.keys | length' 2>/dev/null || true)"
        log "W3 $server: by hand ${body:-no} keys"
        [ "${body:-0}" -gt 0 ] 2>/dev/null || log "WARNING: $server's key set at $5 is empty or not JSON" ;;
  esac
}

# oidc-provider: bench/peers/oidc-provider/server.mjs, a fresh process per workload (W2's with opaque access tokens, the
# only ones it introspects), at Gatehouse's paths and with Gatehouse's client ids and secrets.
run_oidc_provider() {
  local w port base log up
  for w in $PEER_WORKLOADS; do
    port="$(free_port)"; base="http://127.0.0.1:$port"; log="$OUT/oidc-provider-$w-server.log"
    local format=jwt; [ "$w" = W2 ] && format=opaque
    log "$w oidc-provider: starting server.mjs on $base (CPU $SERVER_CPU, $format access tokens)"
    spawn_bg env -C "$OIDC_DIR" NODE_ENV=production PORT="$port" BENCH_CC_SECRET="$SECRET" BENCH_RS_SECRET="$RS_SECRET" \
      ACCESS_TOKEN_FORMAT="$format" taskset -c "$SERVER_CPU" node server.mjs > "$log" 2>&1
    PEER_PID=$SPAWNED
    up=0
    for _ in $(seq 1 300); do
      kill -0 "$PEER_PID" 2>/dev/null || break
      grep -q '^READY' "$log" 2>/dev/null && { up=1; break; }
      sleep 0.1
    done
    if [ "$up" = 1 ]; then
      peer_check oidc-provider "$w" "$base/token" "$base/introspect" "$base/jwks"
      if [ "$(peer_tool oidc-provider "$w")" = wrk ]; then
        run_wrk oidc-provider "$OIDC_LABEL" "$w" "$PEER_PID" "$base/token" "$base/introspect" "$base/jwks"
      else
        run_tool oidc-provider "$OIDC_LABEL" "$w" "$base" "$PEER_PID"
      fi
    else
      tail -5 "$log" >&2 || true
      fail_result "$w" oidc-provider "$OIDC_LABEL" "$(peer_tool oidc-provider "$w")" "server.mjs did not start" "$(basename "$log")"
    fi
    kill_group "$PEER_PID"; PEER_PID=""
  done
}

# Keycloak: bench/peers/keycloak/start.sh (under the lock held here), setup.sh with Gatehouse's client secrets, the
# workloads with run_wrk at the realm's URLs, stop.sh.
run_keycloak() {
  local w kc_pid port mgmt t
  port="$(free_port)"; mgmt="$(free_port)"
  [ "$port" != "$mgmt" ] || mgmt="$(free_port)"
  local kenv=(KC_CACHE="$KC_CACHE" KC_PORT="$port" KC_MGMT_PORT="$mgmt" KC_CPU="$SERVER_CPU" KC_ACTIVE_CPUS=1
              KC_START_TIMEOUT="$KC_START_TIMEOUT" KC_JAVA_HOME="$KC_JH")
  env "${kenv[@]}" "$KC_PEER/stop.sh" > "$OUT/keycloak-stop.log" 2>&1 || true   # a leftover instance, if any
  log "keycloak: start.sh on 127.0.0.1:$port (CPU $SERVER_CPU; the first start also unpacks and builds: minutes)"
  KC_STARTED=1
  if ! spawn_fg env "${kenv[@]}" "$KC_PEER/start.sh" > "$OUT/keycloak-start.log" 2>&1; then
    tail -10 "$OUT/keycloak-start.log" >&2 || true
    for w in $PEER_WORKLOADS; do fail_result "$w" keycloak "$KC_LABEL" "wrk -t$WRK_THREADS" "Keycloak did not start (keycloak-start.log)" keycloak-start.log; done
    return 0
  fi
  kc_pid="$(sed -n 's/^KEYCLOAK_PID=//p' "$OUT/keycloak-start.log" | tail -1)"
  log "keycloak: $(grep -o 'ready after.*' "$OUT/keycloak-start.log" | head -1 || true), pid $kc_pid"
  log "keycloak: setup.sh (realm bench, $KC_TOKEN_ALG access tokens)"
  if ! spawn_fg env "${kenv[@]}" KC_TOKEN_ALG="$KC_TOKEN_ALG" BENCH_CC_SECRET="$SECRET" BENCH_RS_SECRET="$RS_SECRET" \
      "$KC_PEER/setup.sh" > "$OUT/keycloak-setup.log" 2>&1; then
    tail -10 "$OUT/keycloak-setup.log" >&2 || true
    for w in $PEER_WORKLOADS; do fail_result "$w" keycloak "$KC_LABEL" "wrk -t$WRK_THREADS" "setup.sh failed (keycloak-setup.log)" keycloak-setup.log; done
  else
    t="http://127.0.0.1:$port/realms/bench/protocol/openid-connect"
    for w in $PEER_WORKLOADS; do
      peer_check keycloak "$w" "$t/token" "$t/token/introspect" "$t/certs"
      run_wrk keycloak "$KC_LABEL" "$w" "$kc_pid" "$t/token" "$t/token/introspect" "$t/certs"
    done
  fi
  cp "$KC_CACHE/run/keycloak.log" "$OUT/keycloak-server.log" 2>/dev/null || true
  log "keycloak: stop.sh"
  env "${kenv[@]}" "$KC_PEER/stop.sh" >> "$OUT/keycloak-stop.log" 2>&1 || FAILURES+=("Keycloak stop.sh failed (keycloak-stop.log)")
  KC_STARTED=0
}

for p in $PEERS; do
  case "$p" in
    oidc-provider)
      if [ -n "$OIDC_ERR" ]; then
        for w in $PEER_WORKLOADS; do fail_result "$w" oidc-provider oidc-provider "$(peer_tool oidc-provider "$w")" "$OIDC_ERR" -; done
      else
        run_oidc_provider
      fi ;;
    keycloak)
      if [ -n "$KC_ERR" ]; then
        for w in $PEER_WORKLOADS; do fail_result "$w" keycloak "$KC_LABEL" "wrk -t$WRK_THREADS" "$KC_ERR" -; done
      else
        run_keycloak
      fi ;;
  esac
done

LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
flock -u "$LOCK_FD"; exec {LOCK_FD}>&-; LOCK_FD=""

# ---- step 5: the summary ---------------------------------------------------------------------------------------
cpu_model="$(lscpu | awk -F: '/^Model name/ {gsub(/^ +/, "", $2); print $2; exit}')"
cpus="$(lscpu | awk -F: '/^CPU\(s\)/ {gsub(/ /, "", $2); print $2; exit}')"
tpc="$(lscpu | awk -F: '/^Thread\(s\) per core/ {gsub(/ /, "", $2); print $2; exit}')"
hyp="$(lscpu | awk -F: '/^Hypervisor vendor/ {gsub(/^ +/, "", $2); print $2 " guest"; exit}')"
mem="$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
jdk="$("$JAVA" -version 2>&1 | sed -n 2p)"
WRK_VERSION="$( (wrk -v 2>&1 || true) | awk 'NR == 1 {print $2}')"
gh_overrides="$(env | grep -o '^GATEHOUSE_[A-Z_]*' | sort | xargs || true)"

SATURATED=90   # server CPU % under which a row is flagged: the server was not the bottleneck
table() {
  # the Gatehouse/limit column only when the probe ran (PROBE=0: the table as before)
  local lim=0; [ -n "$PROBE_WORKLOADS" ] && lim=1
  echo "| workload | server | load tool | req/s | p50 ms | p99 ms | errors | Gatehouse/peer (req/s) |$([ "$lim" = 1 ] && echo ' Gatehouse/limit (req/s) |') server CPU % | CPU $SERVER_CPU busy % |"
  echo "|---|---|---|---:|---:|---:|---:|---:|$([ "$lim" = 1 ] && echo '---:|')---:|---:|"
  local w s
  for w in $WORKLOADS; do
    # the probe's rows follow Gatehouse's, and its ratio goes in a column of its own
    for s in gatehouse $([[ " $PROBE_WORKLOADS " == *" $w "* ]] && echo probe) $PEERS; do
      awk -F'\t' -v w="$w" -v s="$s" -v sat="$SATURATED" -v lim="$lim" '
        NR == FNR { if ($1 == w && $2 == "gatehouse" && $11 == "ok") { t = $4; gh[t] = $5; ghcpu[t] = $9 } ; next }
        $1 == w && $2 == s {
          ratio = "–"; limit = "–"
          if (s != "gatehouse") {
            t = $4
            if ($11 == "ok" && (t in gh) && $5 > 0) {
              ratio = sprintf("%.2f×", gh[t] / $5)
              if (($9 ~ /^[0-9]+$/ && $9 + 0 < sat) || (ghcpu[t] ~ /^[0-9]+$/ && ghcpu[t] + 0 < sat)) ratio = ratio " †"
            }
            else if ($11 == "ok") ratio = "n/a (no Gatehouse row with " t ")"
            if (s == "probe") {
              limit = ratio; ratio = "–"
              # on a shared machine the two servers may get different shares of their core: the ratio of req/s per
              # server CPU % (work per CPU second) is printed beside the plain one
              if ($11 == "ok" && (t in gh) && $5 > 0 && $9 ~ /^[0-9]+$/ && $9 > 0 && ghcpu[t] ~ /^[0-9]+$/ && ghcpu[t] > 0)
                limit = limit sprintf(" (per CPU: %.2f×)", (gh[t] / ghcpu[t]) / ($5 / $9))
            }
          }
          rps = $5; if ($11 != "ok") rps = "**" $11 "**"
          else if ($9 ~ /^[0-9]+$/ && $9 + 0 < sat) rps = rps " †"
          if (lim) ratio = ratio " | " limit
          printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $3, $4, rps, $6, $7, $8, ratio, $9, $10
        }' "$RESULTS" "$RESULTS"
    done
  done
}

{
  echo "# Benchmark run $STAMP"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| machine | $cpu_model, $cpus CPUs ($tpc thread(s) per core), $mem${hyp:+, $hyp} |"
  echo "| kernel | $(uname -srm) |"
  echo "| JDK (Gatehouse and gatehouse-bench) | $jdk |"
  echo "| Gatehouse | $GH_JAR_INFO ($GH_TREE); ${GH_PROVIDER:-signing provider not logged}; in-memory registry; JVM \`-XX:ActiveProcessorCount=1${GH_JAVA_OPTS:+ $GH_JAVA_OPTS}\`${gh_overrides:+; env overrides: $gh_overrides} |"
  if [ -n "$PROBE_WORKLOADS" ]; then
    echo "| limit probe | io.gatehouse.bench.LimitProbe on the same gatehouse.jar's classes, same seed and settings; ${PROBE_PROVIDER:-signing provider not logged}; JVM \`-XX:ActiveProcessorCount=1${PROBE_JAVA_OPTS:+ $PROBE_JAVA_OPTS}\`; measured $([ "$PROBE_FIRST" = 1 ] && echo before || echo after) Gatehouse |"
  fi
  [ -n "$PEERS" ] && echo "| peers | $(for p in $PEERS; do case $p in oidc-provider) printf '%s, ES256 JWT access tokens%s; ' "${OIDC_LABEL:-oidc-provider}" "$([[ " $WORKLOADS " == *" W2 "* ]] && echo ' (W2: opaque ones, which it can introspect)')" ;; keycloak) printf '%s, %s JWT access tokens, H2 dev-file database; ' "$KC_LABEL" "$KC_TOKEN_ALG" ;; esac; done)wrk ${WRK_VERSION:-not installed} |"
  echo "| settings | workloads $WORKLOADS; warm-up $WARMUP then $DURATION measured, $CONNECTIONS keep-alive connections, closed loop; server \`taskset -c $SERVER_CPU\`, load \`taskset -c $LOAD_CPU\` |"
  echo "| when | $RUN_START, lock $LOCK held for the run; load average at start $LOAD_START, at end $LOAD_END |"
  echo
  table | tee "$WORK/table.md"
  if grep -q '†' "$WORK/table.md"; then
    echo
    echo "† The server used less than $SATURATED % of its core, so it was not what set this figure: the load tool was (it has one"
    echo "core; gatehouse-bench needs far more CPU per request than wrk), or other processes took CPU $SERVER_CPU (CPU $SERVER_CPU busy % near 100"
    echo "while the server's share is low). Do not read such a row, or a ratio built on it, as the server's capacity."
  fi
  echo
  echo "W1: client credentials with client_secret_basic, scope read, answer a JWT access token. W3: GET the JWK set."
  if [[ " $WORKLOADS " == *" W2 "* ]]; then
    echo "W2: RFC 7662 introspection by a resource-server client (client_secret_basic) of one valid access token of bench-cc"
    echo "for the whole run: a JWT for Gatehouse and Keycloak, an opaque token for oidc-provider (it does not introspect its"
    echo "JWTs). gatehouse-bench counts only \"active\":true as a success; for wrk rows the token was checked active by hand"
    echo "before and after the run (wrk counts any 200)."
  fi
  if [[ " $WORKLOADS " == *" W4 "* || " $WORKLOADS " == *" W5 "* ]]; then
    echo "W4: authorization code + PKCE on a live session, redemption included (one operation, 2 HTTP exchanges)."
    echo "W5: refresh with rotation. Both against Gatehouse only (the peers are set up for W1 to W3)."
  fi
  if [ -n "$PROBE_WORKLOADS" ]; then
    echo "Limit probe: the least a Vert.x server on Gatehouse's own classes does to give the same answers (HTTP server and"
    echo "options, body reader and form parser, secret hash check, client credentials grant and ES256 signer, the same JSON;"
    echo "W2 a verified token's claims from a hash map). No router, connection guard, rate limits, metrics, audit, deny-set"
    echo "or service layer (docs/PERFORMANCE.md, \"The limit probe\"). Gatehouse/limit is Gatehouse's share of its rate;"
    echo "\"per CPU\" divides each rate by its server's CPU % first (the share of work per CPU second, which holds up better"
    echo "when other processes took part of CPU $SERVER_CPU from one of the two)."
  fi
  echo "The ratio compares rows measured with the same load tool. gatehouse-bench counts an answer that fails its check"
  echo "(status, RFC 9068 token, key set, active) as an error; wrk counts only non-2xx/3xx answers and socket errors."
  echo "Server CPU % is the server process's CPU time over the window (100 = one core); CPU $SERVER_CPU busy % counts every"
  echo "process on that CPU: well above the server's own share means something else ran there and the figure is noisy."
  echo "For gatehouse-bench rows both are taken over warm-up + measured run; for wrk rows over the measured run."
  if [ "${#FAILURES[@]}" -gt 0 ]; then
    echo
    echo "**FAILED**:"
    for f in "${FAILURES[@]}"; do echo "- $f"; done
  fi
} > "$OUT/summary.md"

echo
cat "$OUT/summary.md"
echo
log "raw outputs and summary in $OUT"
if [ "${#FAILURES[@]}" -gt 0 ]; then
  log "FAILED: ${#FAILURES[@]} problem(s):"
  for f in "${FAILURES[@]}"; do log "  - $f"; done
  exit 1
fi
exit 0
