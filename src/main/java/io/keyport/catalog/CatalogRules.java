package io.keyport.catalog;

import io.keyport.catalog.ProductDraft.RouteDraft;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The shape of what an administrator submits for a product or a plan, checked without the database:
 * each problem is put in {@code errors} under the field's API name ({@code routes[0].pathPrefix})
 * with a sentence that says what to do, and the cleaned values (trimmed, blank as null, host in
 * lower case, methods in upper case) come back for the service to store.
 */
final class CatalogRules {

  /** Slugs and plan names: lowercase letters, digits and inner hyphens, as in URLs and headers. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?");

  private static final Pattern HOST =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");

  private static final List<String> METHODS = RouteView.METHODS;

  static final int MAX_ROUTES = 50;
  static final int MAX_REQUESTS_PER_UNIT = 1_000_000_000;
  static final int MAX_KEYS_PER_USER = 10_000;

  private CatalogRules() {}

  /** The product's fields, cleaned; the OpenAPI document is left to {@link OpenApiDocuments}. */
  static ProductDraft product(ProductDraft draft, Map<String, String> errors) {
    String slug = trimmed(draft.slug());
    if (slug == null) {
      errors.put(
          "slug",
          "Give the product a slug: lowercase letters, digits and hyphens, such as payments-api.");
    } else if (!NAME.matcher(slug).matches()) {
      errors.put(
          "slug",
          "The slug may hold only lowercase letters, digits and hyphens (not first or last), at"
              + " most 64 characters, such as payments-api.");
    }
    String displayName = text(draft.displayName(), "displayName", 200, errors);
    if (displayName == null && !errors.containsKey("displayName")) {
      errors.put("displayName", "Give the product a display name, such as Payments API.");
    }
    String description = text(draft.description(), "description", 4000, errors);
    String version = text(draft.version(), "version", 64, errors);
    List<RouteView> routes = routes(draft.routes(), errors);
    List<String> plans = names(draft.plans());
    return new ProductDraft(
        slug,
        displayName,
        description,
        version,
        routes.stream().map(r -> new RouteDraft(r.host(), r.pathPrefix(), methodList(r))).toList(),
        plans,
        trimmed(draft.openapi()),
        metadata(draft.metadata(), errors));
  }

  static final int MAX_METADATA_ENTRIES = 20;
  static final int MAX_METADATA_VALUE_LENGTH = 1000;
  private static final Pattern METADATA_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  /** A product's metadata, sorted by name; problems go under {@code metadata}. */
  static Map<String, String> metadata(Map<String, String> raw, Map<String, String> errors) {
    Map<String, String> clean = new TreeMap<>();
    if (raw == null) {
      return clean;
    }
    if (raw.size() > MAX_METADATA_ENTRIES) {
      errors.put(
          "metadata", "A product has at most " + MAX_METADATA_ENTRIES + " metadata entries.");
      return clean;
    }
    for (Map.Entry<String, String> entry : raw.entrySet()) {
      String name = entry.getKey() == null ? "" : entry.getKey().strip();
      String value = entry.getValue() == null ? "" : entry.getValue().strip();
      if (!METADATA_NAME.matcher(name).matches()) {
        errors.put(
            "metadata",
            "Metadata names are 1 to 100 letters, digits, '.', '_' or '-', starting with a letter"
                + " or digit, such as category.");
      } else if (value.isEmpty()
          || value.length() > MAX_METADATA_VALUE_LENGTH
          || value.chars().anyMatch(Character::isISOControl)) {
        errors.put(
            "metadata",
            "The value of '"
                + name
                + "' must be 1 to "
                + MAX_METADATA_VALUE_LENGTH
                + " characters, without control characters.");
      } else if (clean.put(name, value) != null) {
        errors.put("metadata", "The metadata name '" + name + "' appears twice.");
      }
    }
    return clean;
  }

  /** The routes as they are stored; problems go under {@code routes} or {@code routes[i].…}. */
  static List<RouteView> routes(List<RouteDraft> drafts, Map<String, String> errors) {
    List<RouteDraft> given = drafts == null ? List.of() : drafts;
    if (given.isEmpty()) {
      errors.put(
          "routes",
          "Add at least one route, a path prefix such as /payments/: without one, the gateway"
              + " check refuses every request for this product.");
      return List.of();
    }
    if (given.size() > MAX_ROUTES) {
      errors.put(
          "routes", "A product may have at most " + MAX_ROUTES + " routes; merge or remove some.");
      return List.of();
    }
    List<RouteView> routes = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      RouteDraft draft = given.get(i) == null ? new RouteDraft(null, null, null) : given.get(i);
      String field = "routes[" + i + "]";
      String host = host(draft.host(), field + ".host", errors);
      String prefix = pathPrefix(draft.pathPrefix(), field + ".pathPrefix", errors);
      String methods = methods(draft.methods(), field + ".methods", errors);
      RouteView route = new RouteView(host, prefix, methods);
      for (int earlier = 0; earlier < routes.size(); earlier++) {
        RouteView other = routes.get(earlier);
        if (prefix != null
            && prefix.equals(other.pathPrefix())
            && java.util.Objects.equals(host, other.host())) {
          errors.putIfAbsent(
              field + ".pathPrefix",
              "This route has the same host and path prefix as route "
                  + (earlier + 1)
                  + "; merge their methods into one route.");
        }
      }
      routes.add(route);
    }
    return routes;
  }

  /** The plan's fields, cleaned; the unit comes back as a {@link RateUnit} name or null. */
  static PlanDraft plan(PlanDraft draft, Map<String, String> errors) {
    String name = trimmed(draft.name());
    if (name == null) {
      errors.put(
          "name", "Give the plan a name: lowercase letters, digits and hyphens, such as gold.");
    } else if (!NAME.matcher(name).matches()) {
      errors.put(
          "name",
          "The plan name may hold only lowercase letters, digits and hyphens (not first or last),"
              + " at most 64 characters, such as gold or team-plus.");
    }
    String displayName = text(draft.displayName(), "displayName", 200, errors);
    if (displayName == null && !errors.containsKey("displayName")) {
      errors.put("displayName", "Give the plan a display name, such as Gold.");
    }
    String description = text(draft.description(), "description", 2000, errors);
    Integer requests = draft.requestsPerUnit();
    String unitText = trimmed(draft.unit());
    RateUnit unit = null;
    if (unitText != null) {
      try {
        unit = RateUnit.valueOf(unitText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        errors.put(
            "rateLimit.unit",
            "The unit '" + unitText + "' is unknown: pick SECOND, MINUTE, HOUR or DAY.");
      }
    }
    if (requests != null && (requests < 1 || requests > MAX_REQUESTS_PER_UNIT)) {
      errors.put(
          "rateLimit.requestsPerUnit",
          "Enter from 1 to "
              + MAX_REQUESTS_PER_UNIT
              + " requests per unit, or choose no rate limit.");
    } else if (requests != null && unitText == null) {
      errors.put(
          "rateLimit.unit",
          "Pick the unit the " + requests + " requests count over: SECOND, MINUTE, HOUR or DAY.");
    } else if (requests == null && unit != null) {
      errors.put(
          "rateLimit.requestsPerUnit",
          "Enter how many requests per "
              + unit.name().toLowerCase(Locale.ROOT)
              + " the plan allows, or choose no rate limit.");
    }
    Long quota = draft.monthlyQuota();
    if (quota != null && quota < 1) {
      errors.put(
          "monthlyQuota",
          "Enter a monthly quota of at least 1 request, or leave it empty for no quota.");
    }
    Integer maxKeys = draft.maxKeysPerUser();
    if (maxKeys != null && (maxKeys < 1 || maxKeys > MAX_KEYS_PER_USER)) {
      errors.put(
          "maxKeysPerUser",
          "Enter from 1 to " + MAX_KEYS_PER_USER + " keys per user, or leave it empty for no cap.");
    }
    return new PlanDraft(
        name,
        displayName,
        description,
        requests,
        unit == null ? null : unit.name(),
        quota,
        maxKeys);
  }

  private static String host(String raw, String field, Map<String, String> errors) {
    String host = trimmed(raw);
    if (host == null) {
      return null;
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.contains(":") || host.contains("/")) {
      errors.put(
          field,
          "Enter the host name alone, such as api.example.com: no scheme, port or path (the check"
              + " ignores the request's port).");
    } else if (!HOST.matcher(host).matches()) {
      errors.put(
          field,
          "'"
              + host
              + "' is not a host name. Enter one such as api.example.com, or leave it empty"
              + " to match any host.");
    }
    return host;
  }

  private static String pathPrefix(String raw, String field, Map<String, String> errors) {
    String prefix = trimmed(raw);
    if (prefix == null) {
      errors.put(field, "Enter a path prefix that starts with /, such as /payments/.");
      return null;
    }
    if (!prefix.startsWith("/")) {
      errors.put(field, "Start the path prefix with /, as in /" + prefix + ".");
    } else if (prefix.length() > 500) {
      errors.put(field, "The path prefix may have at most 500 characters.");
    } else if (prefix.chars().anyMatch(c -> c <= 0x20 || c == 0x7f || "?#%\\;".indexOf(c) >= 0)) {
      errors.put(
          field,
          "Write the path prefix as the decoded path, without spaces, ?, #, %, \\ or ; (the check"
              + " matches decoded, normalised paths): for example /payments/.");
    } else if (prefix.contains("//") || hasDotSegment(prefix)) {
      errors.put(
          field,
          "Write the path prefix without // and without . or .. segments: the check resolves those"
              + " before matching, so such a prefix would never match.");
    }
    return prefix;
  }

  private static boolean hasDotSegment(String prefix) {
    return Arrays.stream(prefix.split("/", -1)).anyMatch(s -> s.equals(".") || s.equals(".."));
  }

  private static String methods(List<String> raw, String field, Map<String, String> errors) {
    if (raw == null) {
      return null;
    }
    Set<String> methods = new TreeSet<>(java.util.Comparator.comparingInt(METHODS::indexOf));
    for (String method : raw) {
      String upper = trimmed(method) == null ? null : method.trim().toUpperCase(Locale.ROOT);
      if (upper == null) {
        continue;
      }
      if (!METHODS.contains(upper)) {
        errors.put(
            field,
            "'"
                + method.trim()
                + "' is not an HTTP method. Use "
                + String.join(", ", METHODS)
                + ", or none for every method.");
        return null;
      }
      methods.add(upper);
    }
    return methods.isEmpty() ? null : String.join(",", methods);
  }

  static List<String> methodList(RouteView route) {
    return route.methods() == null ? List.of() : List.of(route.methods().split(","));
  }

  private static List<String> names(List<String> raw) {
    if (raw == null) {
      return List.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (String name : raw) {
      String trimmed = trimmed(name);
      if (trimmed != null) {
        names.add(trimmed);
      }
    }
    return List.copyOf(names);
  }

  private static String text(String raw, String field, int max, Map<String, String> errors) {
    String text = trimmed(raw);
    if (text != null && text.length() > max) {
      errors.put(field, "Shorten this to at most " + max + " characters.");
    }
    return text;
  }

  static String trimmed(String value) {
    if (value == null) {
      return null;
    }
    String trimmed = value.strip();
    return trimmed.isEmpty() ? null : trimmed;
  }
}
