package io.keyport.notifications;

import io.keyport.platform.RequestRefused;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What an administrator enters for a webhook endpoint: its URL (http or https), the event types it
 * receives, an optional description, and whether it is enabled (null: enabled).
 */
public record WebhookDraft(
    String url, String description, List<String> eventTypes, Boolean enabled) {

  static final int MAX_URL = 2000;
  static final int MAX_DESCRIPTION = 200;

  /** A draft that passed every rule. */
  record Valid(String url, String description, List<String> eventTypes, boolean enabled) {}

  /** Checks every field; all errors at once, by field. */
  Valid validate() {
    Map<String, String> errors = new LinkedHashMap<>();
    String address = url == null ? "" : url.strip();
    if (address.isEmpty()) {
      errors.put(
          "url", "Enter the URL that receives the events, such as https://example.com/hooks.");
    } else if (address.length() > MAX_URL) {
      errors.put("url", "A URL has at most " + MAX_URL + " characters.");
    } else {
      String problem = urlProblem(address);
      if (problem != null) {
        errors.put("url", problem);
      }
    }
    String text = description == null ? null : description.strip();
    if (text != null && text.isEmpty()) {
      text = null;
    }
    if (text != null && text.length() > MAX_DESCRIPTION) {
      errors.put("description", "A description has at most " + MAX_DESCRIPTION + " characters.");
    } else if (text != null && text.chars().anyMatch(Character::isISOControl)) {
      errors.put(
          "description", "A description cannot contain tabs, newlines or control characters.");
    }
    TreeSet<String> types = new TreeSet<>();
    if (eventTypes == null || eventTypes.isEmpty()) {
      errors.put("eventTypes", "Pick at least one event type: " + known() + ".");
    } else {
      for (String type : eventTypes) {
        String name = type == null ? "" : type.strip();
        if (EventType.of(name).isEmpty()) {
          errors.put(
              "eventTypes",
              "There is no event type '" + name + "'. The types are " + known() + ".");
          break;
        }
        types.add(name);
      }
    }
    RequestRefused.throwIfAny(errors);
    return new Valid(address, text, List.copyOf(types), enabled == null || enabled);
  }

  static String known() {
    return String.join(", ", Arrays.stream(EventType.values()).map(EventType::wireName).toList());
  }

  private static String urlProblem(String address) {
    URI uri;
    try {
      uri = new URI(address);
    } catch (URISyntaxException e) {
      return "This is not a URL: "
          + e.getReason()
          + ". Enter one such as https://example.com/hooks.";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return "A webhook URL starts with https:// (or http:// on a trusted network).";
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return "The URL names no host. Enter one such as https://example.com/hooks.";
    }
    if (uri.getRawUserInfo() != null) {
      return "Leave user names and passwords out of the URL: deliveries are signed with the secret.";
    }
    if (uri.getRawFragment() != null) {
      return "Leave the #fragment out of the URL: it is never sent.";
    }
    return null;
  }
}
