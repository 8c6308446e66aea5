# bench/peers/keycloak/common.sh: settings shared by start.sh, setup.sh and stop.sh (sourced, not run).
# Every setting can be given in the environment; see bench/peers/README.md.
KC_PEER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KC_VERSION="${KC_VERSION:-26.7.3}"                              # org.keycloak:keycloak-quarkus-dist, pinned
KC_CACHE="${KC_CACHE:-$(cd "$KC_PEER_DIR/../.." && pwd)/.cache/keycloak}"   # bench/.cache/keycloak (git-ignored)
KC_ZIP="$KC_CACHE/keycloak-quarkus-dist-$KC_VERSION.zip"
KC_HOME="$KC_CACHE/keycloak-$KC_VERSION"                        # the unpacked distribution; its data/ holds the H2 database
KC_RUN="$KC_CACHE/run"                                          # pid files and the server log
KC_HOST=127.0.0.1                                               # loopback only, on purpose not a setting
KC_PORT="${KC_PORT:-8180}"
KC_MGMT_PORT="${KC_MGMT_PORT:-9180}"                            # health, also on loopback
KC_REALM="${KC_REALM:-bench}"
KC_CPU="${KC_CPU:-0}"                                           # taskset CPU list of the server (bench/run.sh: CPU 0)
KC_ACTIVE_CPUS="${KC_ACTIVE_CPUS:-1}"                           # -XX:ActiveProcessorCount
KC_START_TIMEOUT="${KC_START_TIMEOUT:-600}"                     # seconds; the first start also builds the server image
KC_BASE="http://$KC_HOST:$KC_PORT"

kc_log() { printf '[keycloak %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
kc_die() { kc_log "ERROR: $*"; exit 1; }

# Keycloak 26 needs a JDK 21+: KC_JAVA_HOME, else the first JDK of at least 21 among JAVA_HOME, java on PATH and /usr/lib/jvm/*.
kc_find_java() {
  local j v
  for j in ${KC_JAVA_HOME:+$KC_JAVA_HOME/bin/java} ${JAVA_HOME:+$JAVA_HOME/bin/java} $(command -v java || true) /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    v="$("$j" -version 2>&1 | awk -F'"' '/version/ {split($2, a, "."); print a[1]; exit}')"
    if [ "${v:-0}" -ge 21 ] 2>/dev/null; then dirname "$(dirname "$(readlink -f "$j")")"; return 0; fi
    [ -n "${KC_JAVA_HOME:-}" ] && [ "$j" = "$KC_JAVA_HOME/bin/java" ] && { kc_log "KC_JAVA_HOME=$KC_JAVA_HOME is not a JDK 21+"; return 1; }
  done
  return 1
}

# The distribution zip from Maven Central, through mvn (the one network fetch; nothing else is downloaded).
kc_fetch() {
  [ -f "$KC_ZIP" ] && return 0
  command -v mvn >/dev/null || kc_die "mvn is missing (it fetches org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip)"
  mkdir -p "$KC_CACHE"
  kc_log "fetching org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip with mvn into $KC_CACHE"
  (cd "$KC_CACHE" && mvn -B -q dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" \
      -DoutputDirectory="$KC_CACHE") >&2 || kc_die "mvn could not fetch the Keycloak distribution"
}

# The bootstrap admin: made at the first start of a fresh database, with a random password kept in the cache.
kc_admin_password() {
  mkdir -p "$KC_CACHE"
  if [ ! -s "$KC_CACHE/admin.password" ]; then
    (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' > "$KC_CACHE/admin.password")
  fi
  cat "$KC_CACHE/admin.password"
}

# PID of the Keycloak JVM that start.sh started from this KC_HOME, or nothing.
kc_pid() {
  local pid
  pid="$(cat "$KC_RUN/keycloak.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "kc.home.dir=$KC_HOME"; then
    echo "$pid"
  fi
}
