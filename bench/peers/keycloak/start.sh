#!/usr/bin/env bash
# bench/peers/keycloak/start.sh: start Keycloak as Gatehouse's benchmark peer, on 127.0.0.1:$KC_PORT only, pinned to
# CPU $KC_CPU with -XX:ActiveProcessorCount=$KC_ACTIVE_CPUS; production mode on the embedded H2 file database (dev-file).
#   start.sh            fetch the distribution if missing (mvn), unpack it, build the server image once, start, wait
#                       until ready; prints KEYCLOAK_PID=<pid of the JVM> on the last line. Does nothing when running.
#   start.sh --fetch    only fetch the distribution zip into bench/.cache/keycloak/
# Settings: see common.sh (KC_VERSION, KC_JAVA_HOME, KC_PORT, KC_MGMT_PORT, KC_CPU, KC_START_TIMEOUT, KC_CACHE, ...).
# Timing and locking are the caller's: bench/run.sh runs this under /tmp/bench.lock.
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kc_fetch
[ "${1:-}" = --fetch ] && exit 0

pid="$(kc_pid)"
if [ -n "$pid" ]; then kc_log "already running (pid $pid) on $KC_BASE"; echo "KEYCLOAK_PID=$pid"; exit 0; fi
for t in curl jq unzip taskset setsid ss; do command -v "$t" >/dev/null || kc_die "$t is missing"; done
java_home="$(kc_find_java)" || kc_die "no JDK 21+ found (set KC_JAVA_HOME)"

if [ ! -x "$KC_HOME/bin/kc.sh" ]; then
  kc_log "unpacking $(basename "$KC_ZIP")"
  (cd "$KC_CACHE" && unzip -q -o "$KC_ZIP")
fi
for p in "$KC_PORT" "$KC_MGMT_PORT"; do
  if ss -Hltn "sport = :$p" | grep -q .; then kc_die "port $p is in use"; fi
done

export JAVA_HOME="$java_home"
export JAVA_OPTS_APPEND="-XX:ActiveProcessorCount=$KC_ACTIVE_CPUS ${KC_EXTRA_JAVA_OPTS:-}"
export KC_BOOTSTRAP_ADMIN_USERNAME=admin
KC_BOOTSTRAP_ADMIN_PASSWORD="$(kc_admin_password)"; export KC_BOOTSTRAP_ADMIN_PASSWORD
mkdir -p "$KC_RUN"

# Build-time options (kc.sh build, once): the embedded H2 file database, health on the management port.
build_opts="--db=dev-file --health-enabled=true"
if [ "$(cat "$KC_HOME/.gatehouse-build" 2>/dev/null)" != "$build_opts" ]; then
  kc_log "kc.sh build $build_opts (once; about a minute)"
  # shellcheck disable=SC2086
  taskset -c "$KC_CPU" "$KC_HOME/bin/kc.sh" build $build_opts > "$KC_RUN/build.log" 2>&1 \
    || { tail -20 "$KC_RUN/build.log" >&2; kc_die "kc.sh build failed ($KC_RUN/build.log)"; }
  echo "$build_opts" > "$KC_HOME/.gatehouse-build"
fi

# Runtime: HTTP on loopback only; --cache=local opens no cluster transport (JGroups would listen on other addresses).
kc_log "starting Keycloak $KC_VERSION on $KC_BASE (CPU $KC_CPU, JDK $JAVA_HOME)"
t0="$(date +%s%N)"
# its own session (process group = the kc.sh wrapper), no inherited descriptors but stdio (never a caller's lock)
(
  for f in /proc/self/fd/*; do n="${f##*/}"; [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-"; done 2>/dev/null
  cd "$KC_RUN"
  exec setsid taskset -c "$KC_CPU" "$KC_HOME/bin/kc.sh" start --optimized --hostname-strict=false \
    --http-enabled=true "--http-host=$KC_HOST" "--http-port=$KC_PORT" "--http-management-port=$KC_MGMT_PORT" --cache=local \
    > "$KC_RUN/keycloak.log" 2>&1 < /dev/null
) &
wrapper=$!
echo "$wrapper" > "$KC_RUN/wrapper.pid"
pid=""
for _ in $(seq 1 200); do
  pid="$(pgrep -P "$wrapper" java || true)"
  [ -n "$pid" ] && break
  kill -0 "$wrapper" 2>/dev/null || { tail -20 "$KC_RUN/keycloak.log" >&2; kc_die "kc.sh exited at once"; }
  sleep 0.1
done
[ -n "$pid" ] || kc_die "no JVM under kc.sh (pid $wrapper)"
echo "$pid" > "$KC_RUN/keycloak.pid"

deadline=$(( $(date +%s) + KC_START_TIMEOUT ))
until curl -sf -o /dev/null "http://$KC_HOST:$KC_MGMT_PORT/health/ready" \
   && curl -sf -o /dev/null "$KC_BASE/realms/master/.well-known/openid-configuration"; do
  kill -0 "$pid" 2>/dev/null || { tail -30 "$KC_RUN/keycloak.log" >&2; rm -f "$KC_RUN/keycloak.pid"; kc_die "Keycloak died while starting"; }
  [ "$(date +%s)" -lt "$deadline" ] || { tail -30 "$KC_RUN/keycloak.log" >&2; "$KC_PEER_DIR/stop.sh" || true; kc_die "not ready after ${KC_START_TIMEOUT}s"; }
  sleep 0.5
done
kc_log "ready after $(( ($(date +%s%N) - t0) / 1000000 )) ms"

# every listening socket of the JVM must be on loopback
if ss -Hltnp | grep "pid=$pid," | awk '{print $4}' | grep -vE '^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]|\[::1\]):'; then
  "$KC_PEER_DIR/stop.sh" || true
  kc_die "Keycloak listened on a non-loopback address; stopped"
fi
echo "KEYCLOAK_PID=$pid"
