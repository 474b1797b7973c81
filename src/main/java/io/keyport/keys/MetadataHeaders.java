package io.keyport.keys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The headers made from key metadata, as {@code keyport.check.headers-from-metadata} lists them:
 * {@code x-team=team,x-tier=tier:required}. The check adds them to an admitted request, and a key
 * lacking a required entry is refused. Because the upstream trusts these headers, the entries they
 * come from are set by administrators only: {@link #trustedEntries} names them for the key rules.
 */
public final class MetadataHeaders {

  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
  private static final String REQUIRED = ":required";

  /** One header: its name, the metadata entry it comes from, and whether a key must have it. */
  public record Mapping(String header, String entry, boolean required) {}

  private MetadataHeaders() {}

  /**
   * Reads the config value.
   *
   * @throws IllegalArgumentException naming the faulty part
   */
  public static List<Mapping> parse(String config) {
    List<Mapping> mappings = new ArrayList<>();
    if (config == null || config.isBlank()) {
      return List.of();
    }
    for (String part : config.split(",")) {
      String item = part.trim();
      if (item.isEmpty()) {
        continue;
      }
      int equals = item.indexOf('=');
      if (equals <= 0 || equals == item.length() - 1) {
        throw new IllegalArgumentException(
            "keyport.check.headers-from-metadata: '" + item + "' is not header=entry[:required]");
      }
      String header = item.substring(0, equals).trim().toLowerCase(Locale.ROOT);
      String entry = item.substring(equals + 1).trim();
      boolean required = entry.endsWith(REQUIRED);
      if (required) {
        entry = entry.substring(0, entry.length() - REQUIRED.length()).trim();
      }
      if (!HEADER_NAME.matcher(header).matches() || entry.isEmpty()) {
        throw new IllegalArgumentException(
            "keyport.check.headers-from-metadata: '" + item + "' is not header=entry[:required]");
      }
      mappings.add(new Mapping(header, entry, required));
    }
    return List.copyOf(mappings);
  }

  /**
   * The metadata entries that become headers, each with the header(s) it becomes.
   *
   * @throws IllegalArgumentException naming the faulty part
   */
  public static Map<String, String> trustedEntries(String config) {
    Map<String, String> entries = new LinkedHashMap<>();
    for (Mapping mapping : parse(config)) {
      entries.merge(mapping.entry(), mapping.header(), (a, b) -> a + ", " + b);
    }
    return Map.copyOf(entries);
  }
}
