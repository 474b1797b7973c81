package io.keyport.platform;

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

  public RequestRefused(Reason reason, String error, String field, String message) {
    super(message);
    this.reason = reason;
    this.error = error;
    this.field = field;
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

  /** The input field at fault, or null. */
  public String field() {
    return field;
  }
}
