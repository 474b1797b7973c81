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
    NOT_FOUND(404),
    CONFLICT(409);

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
