package io.gatehouse.core.token;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import io.gatehouse.jose.Ed25519;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Optional;

/**
 * The signing key set: one active signer and every public key to publish in the JWKS (the active one
 * and any older ones still listed in the key file, so tokens they signed keep validating).
 *
 * <p>Loading happens once at start (blocking file I/O; never on an event loop).
 */
public final class SigningKeys {

  private final JwsSigner signer;
  private final Map<SigningAlgorithm, JwsSigner> signers;
  private final JsonObject publicJwks;

  private final JWKSet set;

  private SigningKeys(JwsSigner signer, Map<SigningAlgorithm, JwsSigner> signers, JWKSet set) {
    this.signer = signer;
    this.signers = Map.copyOf(signers);
    this.set = set;
    JsonObject pub = new JsonObject(set.toPublicJWKSet().toJSONObject(true));
    // a key's schedule (nbf: signs from, exp: signs until) is ours: a verifier must keep trusting a key
    // after it stopped signing, until its tokens expired, so the schedule is not published
    pub.getJsonArray("keys").forEach(k -> {
      ((JsonObject) k).remove("nbf");
      ((JsonObject) k).remove("exp");
      ((JsonObject) k).remove("iat");
    });
    this.publicJwks = pub;
  }

  /** The whole set, private keys and schedules included (for rotation; never to be published). */
  public JWKSet jwkSet() {
    return set;
  }

  /** The signer of the primary algorithm (access tokens). */
  public JwsSigner signer() {
    return signer;
  }

  /**
   * The signer for {@code algorithm}: the primary one or one of the extra algorithms the set was
   * loaded for (e.g. RS256 for ID tokens).
   *
   * @throws IllegalArgumentException when the set was not loaded for that algorithm
   */
  public JwsSigner signer(SigningAlgorithm algorithm) {
    JwsSigner s = signers.get(algorithm);
    if (s == null) {
      throw new IllegalArgumentException("no " + algorithm + " signing key loaded");
    }
    return s;
  }

  /** The public JWK set (RFC 7517 §5), safe to publish. */
  public JsonObject publicJwks() {
    return publicJwks.copy();
  }

  /**
   * Uses the first key of {@code set} that has a private part and fits {@code algorithm}.
   *
   * @throws IllegalArgumentException when the set has no such key
   */
  public static SigningKeys fromJwkSet(JWKSet set, SigningAlgorithm algorithm, SigningAlgorithm... extra) {
    return fromJwkSet(set, java.time.Instant.now(), algorithm, extra);
  }

  /**
   * As {@link #fromJwkSet(JWKSet, SigningAlgorithm, SigningAlgorithm...)} at {@code now}: of the keys
   * that fit, the one that signs is the one with the latest {@code nbf} (not before; absent = always)
   * among those whose {@code nbf} has come and whose {@code exp} (signs until) has not; a key scheduled
   * for later is published already but signs nothing yet.
   */
  public static SigningKeys fromJwkSet(JWKSet set, java.time.Instant now, SigningAlgorithm algorithm, SigningAlgorithm... extra) {
    Map<SigningAlgorithm, JwsSigner> signers = new EnumMap<>(SigningAlgorithm.class);
    for (SigningAlgorithm alg : all(algorithm, extra)) {
      JWK jwk = signingKey(set, alg, now)
          .orElseThrow(() -> new IllegalArgumentException("the JWK set has no private " + alg + " signing key"));
      signers.put(alg, new JwsSigner(alg, jwk.getKeyID(), privateKey(jwk)));
    }
    return new SigningKeys(signers.get(algorithm), signers, set);
  }

  private static Set<SigningAlgorithm> all(SigningAlgorithm algorithm, SigningAlgorithm... extra) {
    Set<SigningAlgorithm> all = EnumSet.of(algorithm);
    all.addAll(Arrays.asList(extra));
    return all;
  }

  /**
   * The first key of {@code set} with a private part that fits {@code algorithm}, or empty. A fitting
   * key that is unusable (no {@code kid}) is an error, never silently skipped.
   */
  private static Optional<JWK> signingKey(JWKSet set, SigningAlgorithm algorithm) {
    return signingKey(set, algorithm, java.time.Instant.now());
  }

  private static Optional<JWK> signingKey(JWKSet set, SigningAlgorithm algorithm, java.time.Instant now) {
    JWK best = null;
    long bestNbf = Long.MIN_VALUE;
    for (JWK jwk : set.getKeys()) {
      if (jwk.isPrivate() && fits(jwk, algorithm) && (jwk.getKeyUse() == null || jwk.getKeyUse() == KeyUse.SIGNATURE)) {
        if (jwk.getKeyID() == null) {
          throw new IllegalArgumentException("every key in the JWK set needs a \"kid\"");
        }
        long nbf = jwk.getNotBeforeTime() == null ? Long.MIN_VALUE : jwk.getNotBeforeTime().getTime();
        boolean started = nbf <= now.toEpochMilli();
        boolean ended = jwk.getExpirationTime() != null && jwk.getExpirationTime().getTime() <= now.toEpochMilli();
        // the first of equals wins (file order), as before schedules existed
        if (started && !ended && (best == null || nbf > bestNbf)) {
          best = jwk;
          bestNbf = nbf;
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Rotation of the key of {@code algorithm} in a set this server owns (the embedded default's file):
   * a new key is added that is published at once and signs from {@code now + publishLead}; the key
   * signing now stops then ({@code exp}); keys that stopped signing at least {@code keepRetired} ago
   * (their last tokens have expired) are dropped. Answers the new set; the caller writes it.
   */
  public static JWKSet rotate(JWKSet set, SigningAlgorithm algorithm, java.time.Instant now, java.time.Duration publishLead,
      java.time.Duration keepRetired) {
    java.util.Date switchAt = java.util.Date.from(now.plus(publishLead));
    JWK current = signingKey(set, algorithm, now).orElse(null);
    List<JWK> keys = new ArrayList<>();
    JWK fresh = generate(algorithm);
    keys.add(withSchedule(fresh, switchAt, null));
    for (JWK k : set.getKeys()) {
      if (k.getExpirationTime() != null && k.getExpirationTime().toInstant().plus(keepRetired).isBefore(now)) {
        continue; // retired long enough: no token it signed is still alive
      }
      if (current != null && k.getKeyID().equals(current.getKeyID())) {
        keys.add(withSchedule(k, k.getNotBeforeTime(), switchAt));
      } else if (fits(k, algorithm) && k.getNotBeforeTime() != null && k.getNotBeforeTime().toInstant().isAfter(now)
          && k.getExpirationTime() == null) {
        // an earlier rotation still pending: the new one supersedes it, so it never signs
        keys.add(withSchedule(k, k.getNotBeforeTime(), k.getNotBeforeTime()));
      } else {
        keys.add(k);
      }
    }
    return new JWKSet(keys);
  }

  /** When each key of the set signs (kid → [nbf, exp] epoch seconds, null when open). */
  public Map<String, long[]> schedule() {
    Map<String, long[]> out = new java.util.LinkedHashMap<>();
    for (JWK k : set.getKeys()) {
      out.put(k.getKeyID(), new long[] {k.getNotBeforeTime() == null ? -1 : k.getNotBeforeTime().getTime() / 1000,
          k.getExpirationTime() == null ? -1 : k.getExpirationTime().getTime() / 1000});
    }
    return out;
  }

  private static JWK withSchedule(JWK k, java.util.Date nbf, java.util.Date exp) {
    if (k instanceof ECKey ec) {
      return new ECKey.Builder(ec).notBeforeTime(nbf).expirationTime(exp).build();
    }
    if (k instanceof RSAKey rsa) {
      return new RSAKey.Builder(rsa).notBeforeTime(nbf).expirationTime(exp).build();
    }
    return new OctetKeyPair.Builder((OctetKeyPair) k).notBeforeTime(nbf).expirationTime(exp).build();
  }

  /** Writes a private key set to {@code file} (owner-only, atomically). */
  public static void write(Path file, JWKSet set) throws IOException {
    writePrivate(file, set.toString(false));
  }

  /** Loads a JWK set file that an operator provides. It is never written to. */
  public static SigningKeys load(Path file, SigningAlgorithm algorithm, SigningAlgorithm... extra) throws IOException {
    try {
      return fromJwkSet(JWKSet.load(file.toFile()), algorithm, extra);
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JWK set: " + e.getMessage(), e);
    }
  }

  /**
   * The embedded default: loads {@code file}, and when it has no key for {@code algorithm} (or does
   * not exist) generates one, adds it in front of the older keys (which stay published) and writes the
   * file back, readable by its owner only.
   */
  public static SigningKeys loadOrGenerate(Path file, SigningAlgorithm algorithm, SigningAlgorithm... extra) throws IOException {
    List<JWK> keys = new ArrayList<>();
    if (Files.exists(file)) {
      try {
        keys.addAll(JWKSet.load(file.toFile()).getKeys());
      } catch (ParseException e) {
        throw new IllegalArgumentException("not a JWK set: " + file + ": " + e.getMessage(), e);
      }
    }
    boolean changed = false;
    // extra algorithms first, so the primary one ends up in front
    List<SigningAlgorithm> wanted = new ArrayList<>(all(algorithm, extra));
    wanted.remove(algorithm);
    wanted.add(algorithm);
    for (SigningAlgorithm alg : wanted) {
      if (signingKey(new JWKSet(keys), alg).isEmpty()) {
        keys.add(0, generate(alg));
        changed = true;
      }
    }
    if (changed) {
      // the primary key leads, also when only an extra algorithm's key was added to an older file
      JWK primary = signingKey(new JWKSet(keys), algorithm).orElseThrow();
      keys.remove(primary);
      keys.add(0, primary);
    }
    JWKSet set = new JWKSet(keys);
    if (changed) {
      writePrivate(file, set.toString(false));
    }
    return fromJwkSet(set, algorithm, extra);
  }

  /**
   * A new key set for a server that signs access tokens with {@code algorithm} and ID tokens (or more) with
   * {@code extra}: one fresh key per algorithm, {@code algorithm}'s first, no schedule (each signs at once). What
   * {@link #load} reads as an operator's {@code keys.jwks_file}; write it with {@link #write}.
   */
  public static JWKSet generateSet(SigningAlgorithm algorithm, SigningAlgorithm... extra) {
    List<JWK> keys = new ArrayList<>();
    keys.add(generate(algorithm));
    for (SigningAlgorithm alg : all(algorithm, extra)) {
      if (alg != algorithm) {
        keys.add(generate(alg));
      }
    }
    return new JWKSet(keys);
  }

  /** Generates a new private signing JWK for {@code algorithm}, its kid the RFC 7638 thumbprint. */
  public static JWK generate(SigningAlgorithm algorithm) {
    try {
      return switch (algorithm) {
        case ES256 -> new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(Algorithm.parse("ES256"))
            .keyIDFromThumbprint(true).generate();
        case RS256 -> new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(Algorithm.parse("RS256"))
            .keyIDFromThumbprint(true).generate();
        case EdDSA -> generateEd25519();
      };
    } catch (JOSEException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
    }
  }

  private static JWK generateEd25519() throws GeneralSecurityException, JOSEException {
    // Nimbus generates OKP keys through Google Tink; the JDK (15+) has Ed25519 itself.
    KeyPair pair = KeyPairGenerator.getInstance(Ed25519.JCA_NAME).generateKeyPair();
    byte[] x = Ed25519.rawPublic(pair.getPublic());
    byte[] d = Ed25519.rawPrivate(pair.getPrivate());
    OctetKeyPair jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).d(Base64URL.encode(d))
        .keyUse(KeyUse.SIGNATURE).algorithm(Algorithm.parse("EdDSA")).build();
    return new OctetKeyPair.Builder(jwk).keyID(jwk.computeThumbprint().toString()).build();
  }

  private static boolean fits(JWK jwk, SigningAlgorithm algorithm) {
    if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().getName().equals(algorithm.name())) {
      return false;
    }
    return switch (algorithm) {
      case ES256 -> jwk.getKeyType() == KeyType.EC && Curve.P_256.equals(((ECKey) jwk).getCurve());
      case RS256 -> jwk.getKeyType() == KeyType.RSA && ((RSAKey) jwk).size() >= 2048;
      case EdDSA -> jwk.getKeyType() == KeyType.OKP && Curve.Ed25519.equals(((OctetKeyPair) jwk).getCurve());
    };
  }

  private static PrivateKey privateKey(JWK jwk) {
    try {
      if (jwk instanceof ECKey ec) {
        return ec.toPrivateKey();
      }
      if (jwk instanceof RSAKey rsa) {
        return rsa.toPrivateKey();
      }
      return Ed25519.privateKey(((OctetKeyPair) jwk).getDecodedD());
    } catch (JOSEException | GeneralSecurityException e) {
      throw new IllegalArgumentException("unusable private key " + jwk.getKeyID() + ": " + e.getMessage(), e);
    }
  }

  private static void writePrivate(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
