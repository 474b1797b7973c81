package io.keyport.platform;

/**
 * A committed change to data the gateway check caches, as announced by PostgreSQL on channel {@code
 * keyport_changes} (see V2__change_notifications.sql). {@code ALL} means "anything may have
 * changed", as after a lost notification connection.
 */
public record DataChanged(Kind kind, String id) {

  /** What changed; {@code id} names which one. */
  public enum Kind {
    /** An API key; id is its hash. */
    KEY,
    /** An API key's metadata; id is the key's UUID. */
    KEY_ID,
    /** A user; id is the username. */
    USER,
    /** Products, routes or plans; no id. */
    CATALOG,
    /** Anything; no id. */
    ALL
  }

  public static final DataChanged ALL = new DataChanged(Kind.ALL, null);

  /** Reads a notification payload; unknown payloads mean "anything". */
  public static DataChanged parse(String payload) {
    if (payload == null) {
      return ALL;
    }
    if (payload.startsWith("key:")) {
      return new DataChanged(Kind.KEY, payload.substring(4));
    }
    if (payload.startsWith("key-id:")) {
      return new DataChanged(Kind.KEY_ID, payload.substring(7));
    }
    if (payload.startsWith("user:")) {
      return new DataChanged(Kind.USER, payload.substring(5));
    }
    if (payload.equals("catalog")) {
      return new DataChanged(Kind.CATALOG, null);
    }
    return ALL;
  }
}
