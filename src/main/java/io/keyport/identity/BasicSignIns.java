package io.keyport.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.keyport.platform.DataChanged;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.Config;

/**
 * HTTP Basic verifications remembered for a short while, so a script's calls do not each cost a
 * PBKDF2 verification. Remembered by the SHA-256 of the whole {@code Authorization} header (never
 * the password itself), for {@code keyport.auth.basic-cache-seconds} (60; 0 turns it off), and
 * forgotten the moment the user changes (password, roles, enabled flag: PostgreSQL announces every
 * change of the user row, on every node). Only successes are remembered; a wrong password is
 * verified, counted and throttled every time.
 */
@ApplicationScoped
public class BasicSignIns {

  /** How long a request waits for another's verification of the same header. */
  private static final long SHARED_WAIT_SECONDS = 2;

  @Inject private Config config;
  private Cache<String, String> verified;
  private final ConcurrentHashMap<String, CompletableFuture<CredentialValidationResult>> inFlight =
      new ConcurrentHashMap<>();

  @PostConstruct
  void init() {
    long seconds =
        config.getOptionalValue("keyport.auth.basic-cache-seconds", Long.class).orElse(60L);
    if (seconds < 0) {
      throw new IllegalStateException(
          "keyport.auth.basic-cache-seconds is " + seconds + "; set it to 0 (off) or more");
    }
    verified =
        Caffeine.newBuilder()
            .maximumSize(seconds == 0 ? 0 : 10_000)
            .expireAfterWrite(Duration.ofSeconds(Math.max(1, seconds)))
            .build();
  }

  /** The username a recent verification of exactly this header found, if any. */
  public Optional<String> recent(String authorization) {
    return Optional.ofNullable(verified.getIfPresent(digest(authorization)));
  }

  public void remember(String authorization, String username) {
    verified.put(digest(authorization), username);
  }

  /**
   * Verifies the header once however many requests carry it at the same moment: a script's burst of
   * parallel calls costs one PBKDF2 verification, not one each (which the bounded password checks
   * would refuse as busy), and so does a burst of one wrong header. The others wait up to two
   * seconds for that verification's outcome and share it.
   *
   * @throws PasswordChecksBusy when the shared verification did not finish in time
   */
  public CredentialValidationResult verifyOnce(
      String authorization, Supplier<CredentialValidationResult> verification) {
    String key = digest(authorization);
    CompletableFuture<CredentialValidationResult> mine = new CompletableFuture<>();
    CompletableFuture<CredentialValidationResult> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      try {
        return running.get(SHARED_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new PasswordChecksBusy();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PasswordChecksBusy();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException failure
            ? failure
            : new IllegalStateException(e.getCause());
      }
    }
    try {
      CredentialValidationResult result = verification.get();
      mine.complete(result);
      return result;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  void onDataChanged(@Observes DataChanged change) {
    switch (change.kind()) {
      case USER -> verified.asMap().values().removeIf(change.id()::equals);
      case ALL -> verified.invalidateAll();
      default -> {
        // keys and the catalogue do not change anyone's password
      }
    }
  }

  static String digest(String authorization) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(authorization.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
