package io.keyport.catalog;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which API product a gateway request belongs to: the route whose host (if it names one), methods
 * (if it names any) and path prefix match, the longest prefix winning (SPEC §1). Immutable; built
 * from the catalogue whenever it changes.
 */
public final class RouteTable {

  /** One route; {@code host} null and {@code methods} empty match any. */
  public record Rule(String product, String host, String pathPrefix, Set<String> methods) {

    boolean matches(String method, String host, String path) {
      return path.startsWith(pathPrefix)
          && (this.host == null || this.host.equals(host))
          && (methods.isEmpty() || methods.contains(method));
    }
  }

  private final List<Rule> rules;

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
  }

  /**
   * The product of the request, or empty when no route matches. {@code path} must be normalised
   * already (see {@code check.RequestPath}); {@code host} may carry a port, which is ignored.
   */
  public Optional<String> productFor(String method, String host, String path) {
    String bareHost = bareHost(host);
    String upperMethod = method == null ? "" : method.toUpperCase(Locale.ROOT);
    for (Rule rule : rules) {
      if (rule.matches(upperMethod, bareHost, path)) {
        return Optional.of(rule.product());
      }
    }
    return Optional.empty();
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
