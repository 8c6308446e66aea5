package io.gatehouse.server;

import io.gatehouse.core.authorize.AuthorizationService;
import io.gatehouse.core.authorize.LogoutService;
import io.gatehouse.core.service.TokenService;
import io.gatehouse.core.service.UserInfoService;
import io.gatehouse.core.service.IntrospectionService;
import io.gatehouse.core.service.RevocationService;
import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.store.ConsentStore;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.store.UserStore;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.core.user.LoginService;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.http.MetadataEndpoints;
import io.vertx.ext.web.sstore.SessionStore;

/**
 * The services the HTTP verticles share, built once at start. All are thread-safe. {@code draining} is
 * set when the node starts shutting down, so readiness turns DOWN before the listeners close.
 */
public record Services(
    GatehouseConfig config,
    ClientRegistry clients,
    UserStore users,
    ConsentStore consents,
    RefreshTokenStore refreshTokens,
    SigningKeys keys,
    TokenService tokenService,
    AuthorizationService authorization,
    LogoutService logouts,
    LoginService logins,
    UserInfoService userInfo,
    IntrospectionService introspection,
    RevocationService revocations,
    io.gatehouse.core.revocation.RevocationHub revocationHub,
    io.gatehouse.core.service.BearerAuthorizer bearer,
    ClientAuthenticator authenticator,
    SessionStore sessions,
    MetadataEndpoints metadata,
    io.gatehouse.server.observe.Telemetry telemetry,
    io.gatehouse.server.http.RateLimits rateLimits,
    java.util.concurrent.atomic.AtomicBoolean draining,
    io.gatehouse.server.admin.ClientAdmin clientAdmin,
    io.gatehouse.server.admin.UserAdmin userAdmin,
    KeyManager keyManager,
    io.gatehouse.server.bus.ServiceOperations operations) {}
