package io.keyport.mirror;

import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON that Gloo Portal stores at {@code <hash>} for an API key, written the way Go's
 * encoding/json writes it, so the bytes match: fields in the struct's order, map keys sorted, and
 * {@code <}, {@code >}, {@code &}, U+2028 and U+2029 escaped.
 */
final class GlooJson {

  private GlooJson() {}

  /**
   * {@code {"api_key":…,"labels":[username],"metadata":{…},"uuid":…}}; {@code metadata} holds the
   * key's custom entries, to which Gloo's own are added.
   */
  static String of(
      String hash,
      String username,
      String uuid,
      String name,
      String plan,
      String product,
      long createdEpochSeconds,
      Map<String, String> custom) {
    Map<String, String> metadata = new TreeMap<>(custom);
    metadata.put("name", name);
    metadata.put("usagePlan", plan);
    metadata.put("username", username);
    if (product != null) { // a plan-wide key (SPEC §10) has none, as in Gloo
      metadata.put("apiProduct", product);
    }
    metadata.put("created-ts-unix", Long.toString(createdEpochSeconds));
    StringBuilder json = new StringBuilder(256);
    json.append("{\"api_key\":");
    string(json, hash);
    json.append(",\"labels\":[");
    string(json, username);
    json.append("],\"metadata\":{");
    boolean first = true;
    for (Map.Entry<String, String> entry : metadata.entrySet()) {
      if (!first) {
        json.append(',');
      }
      first = false;
      string(json, entry.getKey());
      json.append(':');
      string(json, entry.getValue());
    }
    json.append("},\"uuid\":");
    string(json, uuid);
    return json.append('}').toString();
  }

  static void string(StringBuilder json, String value) {
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> unicode(json, c);
        default -> {
          if (c < 0x20) {
            unicode(json, c);
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }

  private static void unicode(StringBuilder json, char c) {
    json.append(String.format("\\u%04x", (int) c));
  }
}
