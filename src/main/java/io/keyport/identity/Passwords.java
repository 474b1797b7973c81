package io.keyport.identity;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.Pbkdf2PasswordHash;
import java.util.Map;

/**
 * Password hashing with PBKDF2-HMAC-SHA512 at 210,000 iterations (OWASP's 2023 figure), through the
 * container's standard {@link Pbkdf2PasswordHash}. The stored form names its own algorithm and
 * iterations, so raising them later keeps old hashes verifiable.
 */
@ApplicationScoped
public class Passwords {

  // A well-formed hash of a random password, verified when a user is unknown so that a login
  // takes as long for a missing user as for a wrong password.
  private static final String DECOY_PASSWORD = "keyport-decoy";

  @Inject private Pbkdf2PasswordHash pbkdf2;
  private String decoyHash;

  @PostConstruct
  void init() {
    pbkdf2.initialize(
        Map.of(
            "Pbkdf2PasswordHash.Algorithm", "PBKDF2WithHmacSHA512",
            "Pbkdf2PasswordHash.Iterations", "210000",
            "Pbkdf2PasswordHash.SaltSizeBytes", "32",
            "Pbkdf2PasswordHash.KeySizeBytes", "64"));
    decoyHash = pbkdf2.generate(DECOY_PASSWORD.toCharArray());
  }

  /** The fewest characters a password a person chooses may have (NIST SP 800-63B asks for 8). */
  public static final int MIN_LENGTH = 12;

  /** The most: PBKDF2 hashes all of it, so a megabyte "password" is work an attacker orders. */
  public static final int MAX_LENGTH = 256;

  /**
   * What is wrong with {@code chosen} as a new password for {@code username}, or null when nothing
   * is. Length is the rule that matters (NIST SP 800-63B); no composition rules.
   */
  public String problem(char[] chosen, String username) {
    if (chosen == null || chosen.length == 0) {
      return "Enter a new password of at least " + MIN_LENGTH + " characters.";
    }
    if (chosen.length < MIN_LENGTH) {
      return "A password has at least "
          + MIN_LENGTH
          + " characters; a few words in a row make a good one.";
    }
    if (chosen.length > MAX_LENGTH) {
      return "A password has at most " + MAX_LENGTH + " characters.";
    }
    if (username != null && new String(chosen).equalsIgnoreCase(username)) {
      return "Your password cannot be your username.";
    }
    return null;
  }

  public String hash(char[] password) {
    return pbkdf2.generate(password);
  }

  public boolean verify(char[] password, String storedHash) {
    return storedHash != null && pbkdf2.verify(password, storedHash);
  }

  /** Spends the time of one verification, for a user that does not exist. */
  public void verifyDecoy(char[] password) {
    pbkdf2.verify(password, decoyHash);
  }
}
