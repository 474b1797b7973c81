package io.keyport.identity;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Failed sign-ins (login form, HTTP Basic, bearer tokens) counted per account and per client
 * address, with growing lockouts ({@link Backoff}), each failure and each lockout written to the
 * audit log. The per-address threshold is much higher than the per-account one: many people (or a
 * test suite) share an address, while an account is one person's.
 *
 * <p>Config, {@code keyport.auth.throttle.*}: {@code account-failures} (5), {@code
 * address-failures} (100), {@code first-delay-seconds} (5), {@code max-delay-seconds} (900), {@code
 * window-minutes} (15).
 */
@ApplicationScoped
public class SignInThrottle {

  /** How the caller tried to sign in, for the audit trail. */
  public enum Channel {
    FORM,
    BASIC,
    BEARER,
    /** The current password given to change it: guessing it is guessing a password too. */
    PASSWORD_CHANGE;

    String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Logger LOG = Logger.getLogger(SignInThrottle.class.getName());
  private static final int CAPACITY = 100_000;
  private static final int MAX_NAME = 200;

  @Inject private Config config;
  @Inject private SignInAudit audit;

  private Backoff accounts;
  private Backoff addresses;

  @PostConstruct
  void init() {
    Duration first = Duration.ofSeconds(number("first-delay-seconds", 5));
    Duration max = Duration.ofSeconds(number("max-delay-seconds", 900));
    Duration window = Duration.ofMinutes(number("window-minutes", 15));
    accounts = new Backoff(number("account-failures", 5), first, max, window, CAPACITY);
    addresses = new Backoff(number("address-failures", 100), first, max, window, CAPACITY);
  }

  /**
   * Seconds the caller must wait before this sign-in may be tried (at least 1), or 0 when it may be
   * tried now; {@code username} may be null when the attempt names no account.
   */
  public long retryAfterSeconds(String username, String address) {
    Instant now = Instant.now();
    Duration wait = addresses.retryAfter(address, now);
    if (username != null) {
      Duration account = accounts.retryAfter(account(username), now);
      wait = account.compareTo(wait) > 0 ? account : wait;
    }
    return wait.isZero() ? 0 : Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  /** A wrong password or a refused token: counted, audited, and perhaps the start of a lockout. */
  public void failed(String username, String address, Channel channel, String reason) {
    Instant now = Instant.now();
    String account = username == null || username.isBlank() ? null : account(username);
    write(() -> audit.failed(account, channel.word(), reason));
    if (account != null) {
      accounts
          .fail(account, now)
          .ifPresent(
              lockout -> {
                LOG.warning(
                    "Sign-in to "
                        + account
                        + " throttled for "
                        + lockout.retryAfter().toSeconds()
                        + " s after "
                        + lockout.failures()
                        + " failures");
                write(() -> audit.throttled(account, "account", address, channel.word(), lockout));
              });
    }
    addresses
        .fail(address, now)
        .ifPresent(
            lockout -> {
              LOG.warning(
                  "Sign-ins from "
                      + address
                      + " throttled for "
                      + lockout.retryAfter().toSeconds()
                      + " s after "
                      + lockout.failures()
                      + " failures");
              write(() -> audit.throttled(account, "address", address, channel.word(), lockout));
            });
  }

  /** A successful sign-in clears the account's failures (not the address's). */
  public void succeeded(String username) {
    accounts.clear(account(username));
  }

  private static String account(String username) {
    String name = username.strip().toLowerCase(Locale.ROOT);
    return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
  }

  // The audit trail must not decide whether a sign-in is refused: with the database away the
  // throttle still counts, and the log says what could not be written.
  private static void write(Runnable record) {
    try {
      record.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Could not audit a failed sign-in: " + e.getMessage());
    }
  }

  private int number(String key, int fallback) {
    Optional<Integer> value =
        config.getOptionalValue("keyport.auth.throttle." + key, Integer.class);
    int n = value.orElse(fallback);
    if (n < 1) {
      throw new IllegalStateException(
          "keyport.auth.throttle." + key + " is " + n + "; set it to 1 or more");
    }
    return n;
  }
}
