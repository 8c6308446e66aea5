#!/usr/bin/env bash
# bench/peers/keycloak/setup.sh: (re)create the benchmark realm in the running Keycloak through its admin REST API,
# then check W1, W2 and W3 once by hand. An existing realm of the same name is deleted first.
#   realm $KC_REALM (bench)  access tokens signed with $KC_TOKEN_ALG (ES256, as Gatehouse's; RS256: Keycloak's default),
#                            access token lifespan 1 h (W2 introspects one token for the whole run)
#   client scope read        optional; adds audience bench-rs (Keycloak only answers active:true to a client in aud)
#   bench-cc                 confidential, client_credentials only, secret $BENCH_CC_SECRET, optional scope read
#   bench-rs                 confidential, no grant at all, secret $BENCH_RS_SECRET: a resource server that introspects
#   bench-rp                 confidential, authorization code, redirect https://rp.bench.example/cb (not loaded; mirrors
#                            Gatehouse's seed), secret $BENCH_CC_SECRET
#   user bench-user          password $BENCH_USER_PASSWORD (random when unset)
# Endpoints then: $KC_BASE/realms/bench/protocol/openid-connect/{token,token/introspect,certs}
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
: "${BENCH_CC_SECRET:?BENCH_CC_SECRET is required}" "${BENCH_RS_SECRET:?BENCH_RS_SECRET is required}"
USER_PASSWORD="${BENCH_USER_PASSWORD:-$(od -An -tx1 -N18 /dev/urandom | tr -d ' \n')}"
KC_TOKEN_ALG="${KC_TOKEN_ALG:-ES256}"
case "$KC_TOKEN_ALG" in ES256|RS256) ;; *) kc_die "KC_TOKEN_ALG must be ES256 or RS256" ;; esac
command -v jq >/dev/null || kc_die "jq is missing"

AT="$(curl -sf -d grant_type=password -d client_id=admin-cli --data-urlencode username=admin \
  --data-urlencode "password=$(kc_admin_password)" "$KC_BASE/realms/master/protocol/openid-connect/token" | jq -r .access_token)" \
  || kc_die "no admin token from $KC_BASE (is it running? start.sh)"
A="$KC_BASE/admin/realms"
api() { # METHOD PATH [JSON]: the body on stdout; fails on HTTP >= 400
  local out code
  out="$(mktemp)"
  code="$(curl -s -o "$out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $AT" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "$A$2")"
  if [ "$code" -ge 400 ]; then kc_log "$1 $2 answered $code: $(head -c 300 "$out")"; rm -f "$out"; return 1; fi
  cat "$out"; rm -f "$out"
}

if curl -sf -o /dev/null -H "Authorization: Bearer $AT" "$A/$KC_REALM"; then
  kc_log "deleting realm $KC_REALM"; api DELETE "/$KC_REALM" >/dev/null
fi
kc_log "realm $KC_REALM, access tokens $KC_TOKEN_ALG"
api POST "" "$(jq -nc --arg r "$KC_REALM" --arg alg "$KC_TOKEN_ALG" \
  '{realm: $r, enabled: true, sslRequired: "external", defaultSignatureAlgorithm: $alg, accessTokenLifespan: 3600}')" >/dev/null
if [ "$KC_TOKEN_ALG" = ES256 ]; then
  realm_id="$(api GET "/$KC_REALM" | jq -r .id)"
  api POST "/$KC_REALM/components" "$(jq -nc --arg p "$realm_id" '{name: "ecdsa-p256", providerId: "ecdsa-generated",
    providerType: "org.keycloak.keys.KeyProvider", parentId: $p,
    config: {priority: ["200"], enabled: ["true"], active: ["true"], ecdsaEllipticCurveKey: ["P-256"]}}')" >/dev/null
fi

api POST "/$KC_REALM/client-scopes" '{"name": "read", "protocol": "openid-connect",
  "attributes": {"include.in.token.scope": "true", "display.on.consent.screen": "false"}}' >/dev/null
read_id="$(api GET "/$KC_REALM/client-scopes" | jq -r '.[] | select(.name == "read") | .id')"
api POST "/$KC_REALM/client-scopes/$read_id/protocol-mappers/models" '{"name": "audience-bench-rs", "protocol": "openid-connect",
  "protocolMapper": "oidc-audience-mapper", "config": {"included.client.audience": "bench-rs",
  "access.token.claim": "true", "introspection.token.claim": "true", "id.token.claim": "false"}}' >/dev/null

client() { # JSON: create the client, print its id
  api POST "/$KC_REALM/clients" "$1" >/dev/null
  api GET "/$KC_REALM/clients?clientId=$(jq -r .clientId <<<"$1")" | jq -r '.[0].id'
}
kc_log "clients bench-cc, bench-rs, bench-rp; user bench-user"
cc_id="$(client "$(jq -nc --arg s "$BENCH_CC_SECRET" '{clientId: "bench-cc", enabled: true, protocol: "openid-connect",
  publicClient: false, clientAuthenticatorType: "client-secret", secret: $s, serviceAccountsEnabled: true,
  standardFlowEnabled: false, implicitFlowEnabled: false, directAccessGrantsEnabled: false}')")"
api PUT "/$KC_REALM/clients/$cc_id/optional-client-scopes/$read_id" >/dev/null
client "$(jq -nc --arg s "$BENCH_RS_SECRET" '{clientId: "bench-rs", enabled: true, protocol: "openid-connect",
  publicClient: false, clientAuthenticatorType: "client-secret", secret: $s, serviceAccountsEnabled: false,
  standardFlowEnabled: false, implicitFlowEnabled: false, directAccessGrantsEnabled: false}')" >/dev/null
rp_id="$(client "$(jq -nc --arg s "$BENCH_CC_SECRET" '{clientId: "bench-rp", enabled: true, protocol: "openid-connect",
  publicClient: false, clientAuthenticatorType: "client-secret", secret: $s, standardFlowEnabled: true,
  implicitFlowEnabled: false, directAccessGrantsEnabled: false, serviceAccountsEnabled: false,
  redirectUris: ["https://rp.bench.example/cb"], attributes: {"pkce.code.challenge.method": "S256"}}')")"
api PUT "/$KC_REALM/clients/$rp_id/optional-client-scopes/$read_id" >/dev/null
api POST "/$KC_REALM/users" "$(jq -nc --arg p "$USER_PASSWORD" '{username: "bench-user", enabled: true,
  email: "bench-user@bench.example", emailVerified: true, firstName: "Bench", lastName: "User",
  credentials: [{type: "password", value: $p, temporary: false}]}')" >/dev/null

# ---- by hand: W1, W2, W3 answer as the benchmark expects ----------------------------------------------------------
T="$KC_BASE/realms/$KC_REALM/protocol/openid-connect"
b64url() { local s="${1//-/+}"; s="${s//_//}"; while [ $(( ${#s} % 4 )) -ne 0 ]; do s="$s="; done; printf '%s' "$s" | base64 -d 2>/dev/null; }
tok="$(curl -sf -u "bench-cc:$BENCH_CC_SECRET" -d grant_type=client_credentials -d scope=read "$T/token")" \
  || kc_die "W1: the client credentials request failed"
at="$(jq -r .access_token <<<"$tok")"
alg="$(b64url "${at%%.*}" | jq -r .alg)"
[ "$alg" = "$KC_TOKEN_ALG" ] || kc_die "W1: the access token is signed with $alg, not $KC_TOKEN_ALG"
grep -qw read <<<"$(jq -r .scope <<<"$tok")" || kc_die "W1: scope read was not granted"
kc_log "W1: 200, $alg access token of ${#at} characters, expires_in $(jq -r .expires_in <<<"$tok"), scope '$(jq -r .scope <<<"$tok")'"
active="$(curl -sf -u "bench-rs:$BENCH_RS_SECRET" --data-urlencode "token=$at" "$T/token/introspect" | jq -r .active)" \
  || kc_die "W2: the introspection request failed"
[ "$active" = true ] || kc_die "W2: introspection by bench-rs answered active $active"
kc_log "W2: 200, active true"
keys="$(curl -sf "$T/certs" | jq '.keys | length')" || kc_die "W3: GET certs failed"
kc_log "W3: 200, $keys keys"
kc_log "realm $KC_REALM ready"
