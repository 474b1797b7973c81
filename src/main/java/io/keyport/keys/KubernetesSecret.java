package io.keyport.keys;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A key's value as Gloo's API-key Secret (SPEC §11): a Kubernetes v1 Secret of type {@code
 * extauth.solo.io/apikey}, {@code data.api-key} the value, the key's metadata as further data
 * fields (as in the Redis mirror, SPEC §5), and labels {@code keyport.io/user}, {@code
 * keyport.io/plan}, {@code keyport.io/product} that an {@code apiKeyAuth} label selector matches.
 * The browser builds the same document in keyport.js from the value already on its page.
 */
public final class KubernetesSecret {

  /** Gloo's secret type for API keys. */
  public static final String TYPE = "extauth.solo.io/apikey";

  public static final String MEDIA_TYPE = "application/yaml";

  private KubernetesSecret() {}

  /**
   * The Secret without the value, as JSON {@code {"name","labels":{…},"data":{…}}} (data not yet
   * base64): what a page renders beside the value so the browser builds the YAML itself.
   */
  public static String withoutValue(KeyView key, String owner) {
    JsonObjectBuilder labels = Json.createObjectBuilder();
    labels(key, owner).forEach(labels::add);
    JsonObjectBuilder data = Json.createObjectBuilder();
    fields(key, owner).forEach(data::add);
    return Json.createObjectBuilder()
        .add("name", name(key))
        .add("type", TYPE)
        .add("labels", labels)
        .add("data", data)
        .build()
        .toString();
  }

  private static Map<String, String> labels(KeyView key, String owner) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("keyport.io/user", labelValue(owner));
    labels.put("keyport.io/plan", labelValue(key.plan()));
    if (key.product() != null) {
      labels.put("keyport.io/product", labelValue(key.product()));
    }
    return labels;
  }

  /** The data fields beside {@code api-key}: the key's metadata as in the Redis mirror. */
  private static Map<String, String> fields(KeyView key, String owner) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("uuid", key.id().toString());
    data.put("name", key.name());
    data.put("usagePlan", key.plan());
    data.put("username", owner);
    if (key.product() != null) {
      data.put("apiProduct", key.product());
    }
    key.metadata().forEach(data::putIfAbsent);
    return data;
  }

  /** The Secret's YAML for this key and value; {@code owner} is the key's username. */
  public static String yaml(KeyView key, String owner, String value) {
    Map<String, String> labels = labels(key, owner);
    Map<String, String> data = new LinkedHashMap<>();
    data.put("api-key", value);
    data.putAll(fields(key, owner));
    StringBuilder yaml = new StringBuilder();
    yaml.append("apiVersion: v1\n");
    yaml.append("kind: Secret\n");
    yaml.append("metadata:\n");
    yaml.append("  name: ").append(quoted(name(key))).append('\n');
    yaml.append("  labels:\n");
    labels.forEach(
        (label, text) ->
            yaml.append("    ").append(label).append(": ").append(quoted(text)).append('\n'));
    yaml.append("type: ").append(TYPE).append('\n');
    yaml.append("data:\n");
    data.forEach(
        (field, text) ->
            yaml.append("  ")
                .append(quoted(field))
                .append(": ")
                .append(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)))
                .append('\n'));
    return yaml.toString();
  }

  /** The Secret's name: {@code keyport-<key id>}, a valid DNS subdomain, unique per key. */
  public static String name(KeyView key) {
    return "keyport-" + key.id();
  }

  /**
   * A valid Kubernetes label value: every character other than letters, digits, '-', '_' and '.'
   * becomes '_' ({@code dev@example.com} → {@code dev_example.com}), at most 63 characters, and
   * starting and ending with a letter or digit (others are trimmed off the ends).
   */
  public static String labelValue(String text) {
    String value = text == null ? "" : text.replaceAll("[^A-Za-z0-9._-]", "_");
    if (value.length() > 63) {
      value = value.substring(0, 63);
    }
    return value.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
  }

  private static String quoted(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
