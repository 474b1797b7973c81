package io.keyport.identity;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.Pbkdf2PasswordHash;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.Config;

/**
 * Password hashing with PBKDF2-HMAC-SHA512 at 210,000 iterations (OWASP's 2023 figure), through the
 * container's standard {@link Pbkdf2PasswordHash}. The stored form names its own algorithm and
 * iterations, so raising them later keeps old hashes verifiable.
 *
 * <p>A verification costs a core a few hundred milliseconds, so at most {@code
 * keyport.auth.throttle.concurrent-password-checks} run at once (default: half the cores, at least
 * one) and as many more may wait up to a second for a slot; any further one is refused at once with
 * {@link PasswordChecksBusy}. A flood of guesses thus holds a few request threads at most, and the
 * gateway check and signed-in pages keep the rest.
 */
@ApplicationScoped
public class Passwords {

  // A well-formed hash of a random password, verified when a user is unknown so that a login
  // takes as long for a missing user as for a wrong password.
  private static final String DECOY_PASSWORD = "keyport-decoy";

  private static final long WAIT_MILLIS = 1000;

  @Inject private Pbkdf2PasswordHash pbkdf2;
  @Inject private Config config;
  private String decoyHash;
  private Semaphore running;
  private Semaphore admitted;

  @PostConstruct
  void init() {
    pbkdf2.initialize(
        Map.of(
            "Pbkdf2PasswordHash.Algorithm", "PBKDF2WithHmacSHA512",
            "Pbkdf2PasswordHash.Iterations", "210000",
            "Pbkdf2PasswordHash.SaltSizeBytes", "32",
            "Pbkdf2PasswordHash.KeySizeBytes", "64"));
    decoyHash = pbkdf2.generate(DECOY_PASSWORD.toCharArray());
    int slots =
        config
            .getOptionalValue("keyport.auth.throttle.concurrent-password-checks", Integer.class)
            .orElse(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    if (slots < 1) {
      throw new IllegalStateException(
          "keyport.auth.throttle.concurrent-password-checks is " + slots + "; set it to 1 or more");
    }
    running = new Semaphore(slots);
    admitted = new Semaphore(2 * slots);
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

  /** Whether the password matches; throws {@link PasswordChecksBusy} when no slot is free. */
  public boolean verify(char[] password, String storedHash) {
    return storedHash != null && bounded(password, storedHash);
  }

  /** Spends the time of one verification, for a user that does not exist. */
  public void verifyDecoy(char[] password) {
    bounded(password, decoyHash);
  }

  private boolean bounded(char[] password, String storedHash) {
    if (!admitted.tryAcquire()) {
      throw new PasswordChecksBusy();
    }
    try {
      if (!running.tryAcquire(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        throw new PasswordChecksBusy();
      }
      try {
        return pbkdf2.verify(password, storedHash);
      } finally {
        running.release();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PasswordChecksBusy();
    } finally {
      admitted.release();
    }
  }
}
