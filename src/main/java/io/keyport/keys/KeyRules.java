package io.keyport.keys;

import io.keyport.catalog.ApiProduct;
import io.keyport.catalog.UsagePlan;
import io.keyport.platform.RequestRefused;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** What a new key's name, metadata and expiry may be; a refusal names the field at fault. */
final class KeyRules {

  static final int MAX_NAME_LENGTH = 64;
  static final int MAX_METADATA_ENTRIES = 20;
  static final int MAX_METADATA_VALUE_LENGTH = 1000;
  private static final Pattern METADATA_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  // Gloo Portal's own metadata fields in the Redis mirror (SPEC §5); custom ones may not shadow
  // them.
  private static final Set<String> RESERVED_METADATA =
      Set.of("name", "usagePlan", "username", "apiProduct", "created-ts-unix");

  private KeyRules() {}

  /** The name, stripped of surrounding blanks. */
  static String name(String raw) {
    String name = raw == null ? "" : raw.strip();
    if (name.isEmpty()) {
      throw RequestRefused.invalid("apiKeyName", "Give the key a name, such as \"ci-pipeline\".");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw RequestRefused.invalid(
          "apiKeyName", "A key name has at most " + MAX_NAME_LENGTH + " characters.");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw RequestRefused.invalid(
          "apiKeyName", "A key name cannot contain control characters such as tabs or newlines.");
    }
    return name;
  }

  /** The metadata, or an empty map for none. */
  static Map<String, String> metadata(Map<String, String> metadata) {
    if (metadata == null) {
      return Map.of();
    }
    if (metadata.size() > MAX_METADATA_ENTRIES) {
      throw RequestRefused.invalid(
          "metadata", "A key has at most " + MAX_METADATA_ENTRIES + " metadata entries.");
    }
    metadata.forEach(
        (name, value) -> {
          if (name == null || !METADATA_NAME.matcher(name).matches()) {
            throw RequestRefused.invalid(
                "metadata",
                "Metadata names are 1 to 100 letters, digits, '.', '_' or '-', starting with a"
                    + " letter or digit.");
          }
          if (RESERVED_METADATA.contains(name)) {
            throw RequestRefused.invalid(
                "metadata", "The metadata name '" + name + "' is reserved; choose another.");
          }
          if (value == null
              || value.length() > MAX_METADATA_VALUE_LENGTH
              || value.chars().anyMatch(Character::isISOControl)) {
            throw RequestRefused.invalid(
                "metadata",
                "The metadata value of '"
                    + name
                    + "' must be a string of at most "
                    + MAX_METADATA_VALUE_LENGTH
                    + " characters, without control characters (it may become a header).");
          }
        });
    return Map.copyOf(metadata);
  }

  /**
   * The metadata a key's owner asks for, which may not contain an entry that becomes a trusted
   * upstream header ({@code trusted}: entry to header, see {@link MetadataHeaders}); an
   * administrator sets those. Each such entry is named as its own field, {@code metadata.<entry>}.
   */
  static Map<String, String> ownersMetadata(
      Map<String, String> metadata, Map<String, String> trusted) {
    Map<String, String> checked = metadata(metadata);
    Map<String, String> errors = new LinkedHashMap<>();
    for (String name : new TreeSet<>(checked.keySet())) {
      String header = trusted.get(name);
      if (header != null) {
        errors.put(
            "metadata." + name,
            "metadata."
                + name
                + " is set by an administrator: it becomes the "
                + header
                + " header that the API behind the gateway trusts. Leave it out, and ask an"
                + " administrator to set it on the key.");
      }
    }
    RequestRefused.throwIfAny(errors);
    return checked;
  }

  /** An expiry, if any, must lie after {@code now}. */
  static Instant expiry(Instant expiresAt, Instant now) {
    if (expiresAt != null && !expiresAt.isAfter(now)) {
      throw RequestRefused.invalid(
          "expiresAt", "The expiry date is in the past: pick a date after today, or none.");
    }
    return expiresAt;
  }

  /** The longest grace a roll may give the previous value: 30 days. */
  static final long MAX_GRACE_SECONDS = 2_592_000;

  /** How long a rolled-away value keeps passing: 0 (it stops at once) to 30 days. */
  static Duration gracePeriod(Long seconds) {
    if (seconds == null) {
      throw RequestRefused.invalid(
          "gracePeriodSeconds",
          "Say how long the previous value keeps passing: gracePeriodSeconds from 0 (it stops at"
              + " once) to "
              + MAX_GRACE_SECONDS
              + " (30 days).");
    }
    if (seconds < 0 || seconds > MAX_GRACE_SECONDS) {
      throw RequestRefused.invalid(
          "gracePeriodSeconds",
          "gracePeriodSeconds must be from 0 to "
              + MAX_GRACE_SECONDS
              + " (30 days), not "
              + seconds
              + ".");
    }
    return Duration.ofSeconds(seconds);
  }

  /** The plan of that name among those the product offers, or a refusal naming the choices. */
  static UsagePlan plan(ApiProduct product, String planName) {
    if (planName == null || planName.isBlank()) {
      throw RequestRefused.invalid("usagePlan", "Name the usage plan the key is for.");
    }
    return product.getPlans().stream()
        .filter(p -> p.getName().equals(planName))
        .findFirst()
        .orElseThrow(
            () ->
                RequestRefused.invalid(
                    "usagePlan",
                    "The API product '"
                        + product.getSlug()
                        + "' has no usage plan '"
                        + planName
                        + "'. Pick one of: "
                        + String.join(
                            ", ", product.getPlans().stream().map(UsagePlan::getName).toList())
                        + "."));
  }

  /**
   * The plan a plan-wide key is for: one that a live product offers, else the key would reach
   * nothing.
   */
  static UsagePlan planWide(List<UsagePlan> offered, String planName) {
    if (planName == null || planName.isBlank()) {
      throw RequestRefused.invalid("usagePlan", "Name the usage plan the key is for.");
    }
    return offered.stream()
        .filter(p -> p.getName().equals(planName))
        .findFirst()
        .orElseThrow(
            () ->
                RequestRefused.invalid(
                    "usagePlan",
                    offered.isEmpty()
                        ? "No API product offers a usage plan yet, so there is nothing a key"
                            + " could reach."
                        : "No API product offers a usage plan '"
                            + planName
                            + "'. Pick one of: "
                            + String.join(", ", offered.stream().map(UsagePlan::getName).toList())
                            + "."));
  }

  static final int MAX_ALLOWED_RANGES = 50;

  /**
   * An IP allowlist as its owner writes it, each range normalised ({@code 10.1.2.3/16} is {@code
   * 10.1.0.0/16}), duplicates dropped; empty for "any address". A wrong entry names itself.
   */
  static List<String> allowedCidrs(List<String> raw) {
    if (raw.size() > MAX_ALLOWED_RANGES) {
      throw RequestRefused.invalid(
          "allowedCidrs", "A key's allowlist has at most " + MAX_ALLOWED_RANGES + " ranges.");
    }
    java.util.Set<String> ranges = new java.util.LinkedHashSet<>();
    for (String entry : raw) {
      try {
        ranges.add(AddressRange.parse(entry).text());
      } catch (IllegalArgumentException e) {
        throw RequestRefused.invalid("allowedCidrs", e.getMessage());
      }
    }
    return List.copyOf(ranges);
  }

  static final long MAX_CREDITS = 1_000_000_000_000L;
  private static final int MAX_SCOPE_ENTRIES = 20;
  private static final java.util.Set<String> METHODS =
      java.util.Set.of(
          "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");

  /**
   * Credits as an administrator sets them: {@code remaining} 0 to a trillion, and a refill with an
   * amount of 1 to a trillion and DAILY or MONTHLY, both or neither. They count from this period.
   */
  static KeyCredits credits(CreditGrant grant, java.time.Instant now, long generation) {
    if (grant.remaining() == null) {
      throw RequestRefused.invalid(
          "credits.remaining",
          "Give credits.remaining, the number of uses left (0 or more); send \"credits\": null"
              + " to remove the limit.");
    }
    if (grant.remaining() < 0 || grant.remaining() > MAX_CREDITS) {
      throw RequestRefused.invalid(
          "credits.remaining",
          "credits.remaining is a whole number from 0 to " + MAX_CREDITS + ".");
    }
    CreditGrant.Refill refill = grant.refill();
    if (refill == null) {
      return new KeyCredits(grant.remaining(), null, null, now, generation);
    }
    if (refill.amount() == null || refill.amount() < 1 || refill.amount() > MAX_CREDITS) {
      throw RequestRefused.invalid(
          "credits.refill.amount",
          "credits.refill.amount is a whole number from 1 to " + MAX_CREDITS + ".");
    }
    RefillInterval interval;
    try {
      interval = RefillInterval.valueOf(String.valueOf(refill.interval()));
    } catch (IllegalArgumentException e) {
      throw RequestRefused.invalid(
          "credits.refill.interval",
          "credits.refill.interval is DAILY or MONTHLY (refilled at 00:00 UTC each day, or on the"
              + " 1st of each month).");
    }
    return new KeyCredits(
        grant.remaining(), refill.amount(), interval, interval.periodStart(now), generation);
  }

  /**
   * Scopes as written: methods upper-cased and known, path prefixes decoded paths starting with /,
   * without empty or dot segments or characters the check refuses; duplicates dropped.
   */
  static KeyScopes scopes(KeyScopes raw) {
    java.util.Set<String> methods = new java.util.TreeSet<>();
    java.util.Set<String> prefixes = new java.util.TreeSet<>();
    List<String> rawMethods = raw.methods();
    List<String> rawPrefixes = raw.pathPrefixes();
    if (rawMethods.size() > MAX_SCOPE_ENTRIES || rawPrefixes.size() > MAX_SCOPE_ENTRIES) {
      throw RequestRefused.invalid(
          "scopes", "A key's scopes have at most " + MAX_SCOPE_ENTRIES + " methods and prefixes.");
    }
    for (String method : rawMethods) {
      String upper = method == null ? "" : method.trim().toUpperCase(java.util.Locale.ROOT);
      if (!METHODS.contains(upper)) {
        throw RequestRefused.invalid(
            "scopes.methods",
            "'"
                + method
                + "' is not an HTTP method; use GET, HEAD, POST, PUT, PATCH, DELETE or"
                + " OPTIONS.");
      }
      methods.add(upper);
    }
    for (String prefix : rawPrefixes) {
      String problem = pathPrefixProblem(prefix);
      if (problem != null) {
        throw RequestRefused.invalid("scopes.pathPrefixes", problem);
      }
      prefixes.add(prefix);
    }
    return new KeyScopes(List.copyOf(methods), List.copyOf(prefixes));
  }

  private static String pathPrefixProblem(String prefix) {
    if (prefix == null || !prefix.startsWith("/")) {
      return "Start each path prefix with /, as in /pets.";
    }
    if (prefix.length() > 500) {
      return "A path prefix has at most 500 characters.";
    }
    if (prefix.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f || "?#%\\;".indexOf(c) >= 0)) {
      return "Write the path prefix '"
          + prefix
          + "' as the decoded path, without spaces, ?, #, %, \\ or ;.";
    }
    String inner = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    if (!inner.isEmpty()) {
      for (String segment : inner.substring(1).split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          return "The path prefix '"
              + prefix
              + "' has an empty, . or .. segment; write it plainly.";
        }
      }
    }
    return null;
  }
}
