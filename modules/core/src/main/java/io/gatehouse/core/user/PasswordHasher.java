package io.gatehouse.core.user;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * User password hashing with Argon2id (RFC 9106), through Bouncy Castle's implementation.
 *
 * <p>Stored as the PHC string format {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>}
 * (standard base64 without padding), so the parameters travel with the hash and can be raised later
 * without invalidating old hashes. The defaults are OWASP's minimum for Argon2id (m=19 MiB, t=2, p=1).
 *
 * <p>Hashing is deliberately slow (tens of milliseconds): callers must run it on a worker thread,
 * never on an event loop.
 */
public final class PasswordHasher {
  public static final int DEFAULT_MEMORY_KIB = 19 * 1024;
  public static final int DEFAULT_ITERATIONS = 2;
  public static final int DEFAULT_PARALLELISM = 1;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final String PREFIX = "$argon2id$v=19$";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final int memoryKib;
  private final int iterations;
  private final int parallelism;
  /** A hash of a random password, checked for an unknown user so both paths cost the same. */
  private final String dummy;

  public PasswordHasher() {
    this(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM);
  }

  public PasswordHasher(int memoryKib, int iterations, int parallelism) {
    if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1) {
      throw new IllegalArgumentException("invalid Argon2id parameters");
    }
    this.memoryKib = memoryKib;
    this.iterations = iterations;
    this.parallelism = parallelism;
    byte[] random = new byte[24];
    RANDOM.nextBytes(random);
    this.dummy = hash(B64.encodeToString(random));
  }

  /** The PHC string of {@code password} with a fresh random salt. */
  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] out = derive(password, salt, memoryKib, iterations, parallelism, HASH_BYTES);
    return PREFIX + "m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
  }

  /** Whether {@code stored} is an Argon2id PHC string this class can verify. */
  public static boolean isHash(String stored) {
    return stored != null && Phc.parse(stored) != null;
  }

  /**
   * Checks {@code password} against {@code stored} in constant time. A null or unparsable
   * {@code stored} (an unknown user) is checked against a dummy hash at the same cost and fails.
   */
  public boolean verify(String password, String stored) {
    Phc phc = stored == null ? null : Phc.parse(stored);
    boolean usable = phc != null;
    if (!usable) {
      phc = Phc.parse(dummy);
    }
    byte[] actual = derive(password == null ? "" : password, phc.salt, phc.memoryKib, phc.iterations, phc.parallelism, phc.hash.length);
    return MessageDigest.isEqual(actual, phc.hash) && usable && password != null;
  }

  private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKib)
        .withIterations(iterations)
        .withParallelism(parallelism)
        .withSalt(salt)
        .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }

  private record Phc(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {
    static Phc parse(String s) {
      if (!s.startsWith(PREFIX)) {
        return null;
      }
      String[] parts = s.substring(PREFIX.length()).split("\\$", -1);
      if (parts.length != 3) {
        return null;
      }
      try {
        int m = -1;
        int t = -1;
        int p = -1;
        for (String kv : parts[0].split(",", -1)) {
          String[] pair = kv.split("=", 2);
          if (pair.length != 2) {
            return null;
          }
          int v = Integer.parseInt(pair[1]);
          switch (pair[0]) {
            case "m" -> m = v;
            case "t" -> t = v;
            case "p" -> p = v;
            default -> {
              return null;
            }
          }
        }
        byte[] salt = B64D.decode(parts[1]);
        byte[] hash = B64D.decode(parts[2]);
        // bounds keep a hostile stored hash from costing unbounded memory or time
        if (m < 8 || m > 1 << 21 || t < 1 || t > 16 || p < 1 || p > 16 || salt.length < 8 || hash.length < 16) {
          return null;
        }
        return new Phc(m, t, p, salt, hash);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }
}
