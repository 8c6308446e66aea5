package io.gatehouse.server;

import io.gatehouse.core.service.TokenService;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.http.MetadataEndpoints;

/** The services the HTTP verticles share, built once at start. All are thread-safe. */
public record Services(GatehouseConfig config, ClientRegistry clients, SigningKeys keys, TokenService tokenService, MetadataEndpoints metadata) {}
