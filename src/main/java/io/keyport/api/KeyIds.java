package io.keyport.api;

import io.keyport.platform.RequestRefused;
import java.util.UUID;

/**
 * An API key's id read from a path: one that is not a UUID names no key, so it is a 404 worded for
 * the caller, as for a key that is not theirs (never a 400 that tells ids apart).
 */
public final class KeyIds {

  private KeyIds() {}

  /** The id of a key of the caller's own (the portal's and Gloo's key calls). */
  public static UUID callers(String raw) {
    return parse(raw, "You have no API key with id " + raw + ".");
  }

  /** The id of anyone's key (the admin calls). */
  static UUID anyones(String raw) {
    return parse(raw, "There is no API key with id " + raw + ".");
  }

  private static UUID parse(String raw, String notFound) {
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw RequestRefused.notFound(notFound);
    }
  }
}
