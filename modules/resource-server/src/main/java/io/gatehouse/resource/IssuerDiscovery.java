package io.gatehouse.resource;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the issuer's metadata: {@code <issuer>/.well-known/openid-configuration} (OIDC Discovery 1.0
 * §4), else the RFC 8414 §3.1 location {@code <scheme>://<host>/.well-known/oauth-authorization-server<path>}.
 * A document whose {@code issuer} is not exactly the configured one is refused (RFC 8414 §3.3), with no
 * fallback: that is a configuration error, not a missing document. The result is kept once it
 * succeeds; after a failure discovery is retried at most once per {@code retryAfter}.
 */
final class IssuerDiscovery {
  private static final Logger LOG = LoggerFactory.getLogger(IssuerDiscovery.class);

  private final WebClient client;
  private final String issuer;
  private final long timeoutMillis;
  private final RetryingMemo<IssuerMetadata> memo;

  /** Discovery of {@code options}' issuer, asked again after a failure at most once per {@code jwksMinRefetchInterval}. */
  IssuerDiscovery(WebClient client, ResourceServerOptions options) {
    this.client = client;
    this.issuer = options.getIssuer();
    this.timeoutMillis = options.getHttpTimeout().toMillis();
    this.memo = new RetryingMemo<>(() -> discover().onFailure(e -> LOG.warn("discovery of issuer {} failed: {}", issuer, e.getMessage())),
        options.getJwksMinRefetchInterval(), options.getTicker());
  }

  Future<IssuerMetadata> metadata() {
    return memo.get();
  }

  static String openIdConfigurationUrl(String issuer) {
    return (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + "/.well-known/openid-configuration";
  }

  static String authorizationServerMetadataUrl(String issuer) {
    URI uri = URI.create(issuer);
    String path = uri.getRawPath() == null || uri.getRawPath().equals("/") ? "" : uri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return uri.getScheme() + "://" + uri.getRawAuthority() + "/.well-known/oauth-authorization-server" + path;
  }

  private Future<IssuerMetadata> discover() {
    String oidc = openIdConfigurationUrl(issuer);
    return fetch(oidc).recover(first -> {
      if (first instanceof IssuerMismatchException) {
        return Future.failedFuture(first);
      }
      String rfc8414 = authorizationServerMetadataUrl(issuer);
      return fetch(rfc8414).recover(second -> Future.failedFuture(second instanceof IssuerMismatchException ? second
          : new IllegalStateException("no metadata for issuer " + issuer + ": " + oidc + ": " + first.getMessage() + "; "
              + rfc8414 + ": " + second.getMessage())));
    });
  }

  private Future<IssuerMetadata> fetch(String url) {
    return client.getAbs(url).timeout(timeoutMillis).putHeader("Accept", "application/json").send()
        .transform(ar -> ar.succeeded() ? parse(url, ar.result())
            : Future.failedFuture(new IllegalStateException(ar.cause().getClass().getSimpleName() + " " + ar.cause().getMessage())));
  }

  private Future<IssuerMetadata> parse(String url, HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      return Future.failedFuture(new IllegalStateException("HTTP " + response.statusCode()));
    }
    JsonObject doc;
    try {
      doc = new JsonObject(response.bodyAsString());
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("not a JSON object"));
    }
    Object iss = doc.getValue("issuer");
    if (!issuer.equals(iss)) {
      return Future.failedFuture(new IssuerMismatchException("the metadata at " + url + " names issuer " + iss + ", not the configured " + issuer
          + " (RFC 8414 §3.3: they must be identical)"));
    }
    String jwks = endpoint(doc, "jwks_uri");
    String introspection = endpoint(doc, "introspection_endpoint");
    return Future.succeededFuture(new IssuerMetadata(issuer, jwks, introspection, url, doc));
  }

  /** A member that must be an https URL (http for loopback hosts), or null when absent or unusable. */
  private static String endpoint(JsonObject doc, String name) {
    Object v = doc.getValue(name);
    if (!(v instanceof String s)) {
      return null;
    }
    try {
      URI uri = URI.create(s);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      String host = uri.getHost() == null ? "" : uri.getHost();
      boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
      if (scheme.equals("https") || (scheme.equals("http") && loopback)) {
        return s;
      }
    } catch (IllegalArgumentException e) {
      // unusable: treated as absent
    }
    LOG.warn("ignoring metadata member {}: not an https URL", name);
    return null;
  }

  static final class IssuerMismatchException extends IllegalStateException {
    IssuerMismatchException(String message) {
      super(message);
    }
  }
}
