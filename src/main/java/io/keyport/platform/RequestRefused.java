package io.keyport.platform;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the services refuse, with a word for machines, a sentence for people, and the field at
 * fault where there is one. Thrown before anything is written, or inside the transaction that it
 * then rolls back, so a refused request changes nothing.
 */
public class RequestRefused extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why, with the HTTP status the REST API answers with. */
  public enum Reason {
    INVALID(400),
    FORBIDDEN(403),
    NOT_FOUND(404),
    CONFLICT(409),
    TOO_MANY_ATTEMPTS(429);

    private final int status;

    Reason(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final Reason reason;
  private final String error;
  private final String field;
  private final Map<String, String> fieldErrors;
  private long retryAfterSeconds;

  public RequestRefused(Reason reason, String error, String field, String message) {
    super(message);
    this.reason = reason;
    this.error = error;
    this.field = field;
    this.fieldErrors = field == null ? Map.of() : Map.of(field, message);
  }

  private RequestRefused(Map<String, String> fieldErrors) {
    super(summary(fieldErrors));
    this.reason = Reason.INVALID;
    this.error = "invalid_request";
    this.field = fieldErrors.keySet().iterator().next();
    this.fieldErrors = Collections.unmodifiableMap(new LinkedHashMap<>(fieldErrors));
  }

  /** Several fields at fault at once, each with its own sentence; {@code fieldErrors} not empty. */
  public static RequestRefused invalid(Map<String, String> fieldErrors) {
    return new RequestRefused(fieldErrors);
  }

  /** Throws when {@code fieldErrors} holds any problem; does nothing otherwise. */
  public static void throwIfAny(Map<String, String> fieldErrors) {
    if (!fieldErrors.isEmpty()) {
      throw invalid(fieldErrors);
    }
  }

  private static String summary(Map<String, String> fieldErrors) {
    if (fieldErrors.size() == 1) {
      return fieldErrors.values().iterator().next();
    }
    StringBuilder summary =
        new StringBuilder().append(fieldErrors.size()).append(" fields need fixing.");
    fieldErrors.forEach(
        (field, text) -> summary.append(' ').append(field).append(": ").append(text));
    return summary.toString();
  }

  public static RequestRefused invalid(String field, String message) {
    return new RequestRefused(Reason.INVALID, "invalid_request", field, message);
  }

  /** The field every optimistically locked thing is read with and changed on. */
  public static final String LOCK_FIELD = "lockVersion";

  /**
   * The one refusal of a change made on a version that someone else changed since: {@code what}
   * names the thing ("the user jane@example.com"). The page offers to load the current version.
   */
  public static RequestRefused versionConflict(String what) {
    return new RequestRefused(
        Reason.CONFLICT,
        "version_conflict",
        LOCK_FIELD,
        "Someone else changed "
            + what
            + " since you read it. Reload it (GET, or reload the page), apply your change to the"
            + " current version, and save again.");
  }

  /** Refuses a change that does not say which version it was made on. */
  public static void requireLockVersion(Long lockVersion, String what) {
    if (lockVersion == null) {
      throw invalid(
          LOCK_FIELD,
          "Send lockVersion, the value your last read of "
              + what
              + " returned, so no one's change is overwritten.");
    }
  }

  /** Refused until {@code seconds} have passed, after too many wrong attempts (a 429). */
  public static RequestRefused tooManyAttempts(String message, long seconds) {
    RequestRefused refusal =
        new RequestRefused(Reason.TOO_MANY_ATTEMPTS, "too_many_attempts", null, message);
    refusal.retryAfterSeconds = seconds;
    return refusal;
  }

  /** Seconds until the same request may pass; 0 when waiting would not help. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public static RequestRefused notFound(String message) {
    return new RequestRefused(Reason.NOT_FOUND, "not_found", null, message);
  }

  public Reason reason() {
    return reason;
  }

  public String error() {
    return error;
  }

  /** The input field at fault, or null; the first of them where several are. */
  public String field() {
    return field;
  }

  /** Every field at fault with what to fix in it, in the order found; empty when none is. */
  public Map<String, String> fieldErrors() {
    return fieldErrors;
  }
}
