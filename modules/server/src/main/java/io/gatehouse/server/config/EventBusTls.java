package io.gatehouse.server.config;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Mutual TLS on the event bus between nodes ({@code cluster.event_bus_tls.*}, docs/EVENT-BUS.md): every
 * node presents its certificate (a PKCS#12 key store, or a PEM certificate chain and key) and accepts a
 * connection, in either direction, only from a peer whose certificate its trust (a PKCS#12 trust store, or
 * PEM CA certificates) vouches for (TLS client authentication required, RFC 8446 §4.3.2). A node without
 * such a certificate can neither send to nor receive from the others' event bus. Certificates are checked
 * by their chain only (the bus connects to the addresses the cluster manager advertises, with no host
 * name to verify): give the event bus a CA of its own, not one that issues certificates for anything else. Hazelcast's own
 * membership traffic is not covered: see docs/EVENT-BUS.md.
 *
 * <p>Exactly one of {@code keyStore} / ({@code certFile} and {@code keyFile}); exactly one of
 * {@code trustStore} / {@code trustCertFile}. Passwords come from the configuration (prefer the
 * environment variables) and are never logged or echoed in an error.
 */
public record EventBusTls(Optional<Path> keyStore, String keyStorePassword, Optional<Path> certFile, Optional<Path> keyFile,
    Optional<Path> trustStore, String trustStorePassword, Optional<Path> trustCertFile) {

  /** Turns TLS with required client authentication on in {@code options}. */
  public EventBusOptions apply(EventBusOptions options) {
    // Vert.x's event bus trusts every server certificate unless told otherwise (EventBusOptions.DEFAULT_TRUST_ALL
    // is true): a node would send to any peer that speaks TLS. Both directions are verified here.
    options.setSsl(true).setClientAuth(ClientAuth.REQUIRED).setTrustAll(false);
    if (keyStore.isPresent()) {
      options.setKeyCertOptions(new PfxOptions().setPath(keyStore.get().toString()).setPassword(keyStorePassword));
    } else {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile.orElseThrow().toString()).setKeyPath(keyFile.orElseThrow().toString()));
    }
    if (trustStore.isPresent()) {
      options.setTrustOptions(new PfxOptions().setPath(trustStore.get().toString()).setPassword(trustStorePassword));
    } else {
      options.setTrustOptions(new PemTrustOptions().addCertPath(trustCertFile.orElseThrow().toString()));
    }
    return options;
  }
}
