package io.keyport.api;

import io.keyport.platform.RequestRefused;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Query parameters read by hand, so a bad one is a 400 that names it, not JAX-RS's bare 404. */
final class QueryParameters {

  private QueryParameters() {}

  static int count(String raw, String name, int fallback, int max) {
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.strip());
      if (value >= 0 && value <= max) {
        return value;
      }
    } catch (NumberFormatException notANumber) {
      // refused below
    }
    throw RequestRefused.invalid(name, name + " must be a whole number from 0 to " + max + ".");
  }

  static Instant instant(String raw, String name) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(raw.strip());
    } catch (DateTimeParseException e) {
      throw RequestRefused.invalid(
          name, name + " must be an ISO-8601 instant such as 2026-11-28T00:00:00Z.");
    }
  }

  static Boolean bool(String raw, String name) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    return switch (raw.strip()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw RequestRefused.invalid(name, name + " must be true or false.");
    };
  }
}
