package io.keyport.catalog;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which API product a gateway request belongs to: the route whose host (if it names one), methods
 * (if it names any) and path prefix match, the longest prefix winning (SPEC §1). A prefix ending in
 * {@code /} also matches the path without that slash: {@code /api/v2} is the root of the {@code
 * /api/v2/} route, which most upstreams (Spring's {@code /api/v2/**}, a redirect to the slash)
 * serve as that product's, so a key of the product on {@code /api/} must not pass there. Immutable;
 * built from the catalogue whenever it changes.
 */
public final class RouteTable {

  /** One route; {@code host} null and {@code methods} empty match any. */
  public record Rule(String product, String host, String pathPrefix, Set<String> methods) {

    boolean matches(String method, String host, String path, String prefix) {
      return (path.startsWith(prefix) || isRootOf(prefix, path))
          && (this.host == null || this.host.equals(host))
          && (methods.isEmpty() || methods.contains(method));
    }

    private static boolean isRootOf(String prefix, String path) {
      return prefix.length() > 1
          && prefix.endsWith("/")
          && path.length() == prefix.length() - 1
          && prefix.startsWith(path);
    }
  }

  private final List<Rule> rules;

  /** Each rule's prefix in lower case, for upstreams that ignore case; same order as rules. */
  private final List<String> foldedPrefixes;

  public RouteTable(List<Rule> rules) {
    this.rules =
        rules.stream()
            .map(
                r ->
                    new Rule(
                        r.product(),
                        r.host() == null ? null : r.host().toLowerCase(Locale.ROOT),
                        r.pathPrefix(),
                        r.methods()))
            .sorted(
                Comparator.comparingInt((Rule r) -> r.pathPrefix().length())
                    .reversed()
                    // a route naming its host beats one that does not, at equal length
                    .thenComparing(r -> r.host() == null))
            .toList();
    this.foldedPrefixes = this.rules.stream().map(r -> fold(r.pathPrefix())).toList();
  }

  /**
   * The product of the request, or empty when no route matches. {@code path} must be normalised
   * already (see {@code check.RequestPath}); {@code host} may carry a port, which is ignored.
   */
  public Optional<String> productFor(String method, String host, String path) {
    return productFor(method, host, path, false);
  }

  /**
   * As {@link #productFor(String, String, String)}; with {@code ignoreCase} (config {@code
   * keyport.check.case-insensitive-routes}) path and prefixes are compared in lower case, for
   * upstreams that serve {@code /API/V2/} as {@code /api/v2/}.
   */
  public Optional<String> productFor(String method, String host, String path, boolean ignoreCase) {
    String bareHost = bareHost(host);
    String upperMethod = method == null ? "" : method.toUpperCase(Locale.ROOT);
    String matched = ignoreCase ? fold(path) : path;
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      String prefix = ignoreCase ? foldedPrefixes.get(i) : rule.pathPrefix();
      if (rule.matches(upperMethod, bareHost, matched, prefix)) {
        return Optional.of(rule.product());
      }
    }
    return Optional.empty();
  }

  /**
   * Lower case by the Unicode rules, after upper-casing, so that characters with one upper-case
   * form and several lower-case ones (the Kelvin sign and k, long s and s) compare equal.
   */
  private static String fold(String text) {
    return text.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
  }

  static String bareHost(String host) {
    if (host == null) {
      return null;
    }
    String lower = host.trim().toLowerCase(Locale.ROOT);
    if (lower.startsWith("[")) {
      int end = lower.indexOf(']');
      return end > 0 ? lower.substring(0, end + 1) : lower;
    }
    int colon = lower.indexOf(':');
    return colon >= 0 ? lower.substring(0, colon) : lower;
  }
}
