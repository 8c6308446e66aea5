#!/usr/bin/env bash
# bench/peers/keycloak/stop.sh: stop the Keycloak that start.sh started (its process group, by the recorded PIDs only).
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
pid="$(kc_pid)"
wrapper="$(cat "$KC_RUN/wrapper.pid" 2>/dev/null || true)"
if [ -z "$pid" ]; then kc_log "not running"; rm -f "$KC_RUN/keycloak.pid" "$KC_RUN/wrapper.pid"; exit 0; fi
kc_log "stopping Keycloak (pid $pid)"
# kc.sh forwards TERM to the JVM; the group also reaches the JVM when the wrapper is gone
if [ -n "$wrapper" ] && kill -0 "$wrapper" 2>/dev/null; then kill -TERM -- "-$wrapper" 2>/dev/null || kill -TERM "$pid"; else kill -TERM "$pid"; fi
for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then kc_log "still running after 30 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
rm -f "$KC_RUN/keycloak.pid" "$KC_RUN/wrapper.pid"
kc_log "stopped"
