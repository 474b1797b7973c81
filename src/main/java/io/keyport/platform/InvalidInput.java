package io.keyport.platform;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Input refused for one or more fields at once, so a form or an API caller can fix every problem in
 * one go: {@link #fields()} maps each field (as the API names it, {@code routes[1].pathPrefix}) to
 * what is wrong with it and what to do.
 */
public class InvalidInput extends RequestRefused {

  private static final long serialVersionUID = 1L;

  private final Map<String, String> fields;

  public InvalidInput(Map<String, String> fields) {
    super(Reason.INVALID, "invalid_request", fields.keySet().iterator().next(), summary(fields));
    this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** Throws when {@code fields} holds any problem; does nothing otherwise. */
  public static void throwIfAny(Map<String, String> fields) {
    if (!fields.isEmpty()) {
      throw new InvalidInput(fields);
    }
  }

  /** Every field at fault, in the order found, with its message. */
  public Map<String, String> fields() {
    return fields;
  }

  private static String summary(Map<String, String> fields) {
    if (fields.size() == 1) {
      return fields.values().iterator().next();
    }
    return fields.size()
        + " fields need fixing. "
        + fields.entrySet().stream()
            .map(e -> e.getKey() + ": " + e.getValue())
            .collect(Collectors.joining(" "));
  }
}
