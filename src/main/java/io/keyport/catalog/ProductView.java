package io.keyport.catalog;

import java.util.List;
import java.util.Map;

/**
 * An API product as pages and the REST API show it; {@code metadata} is the administrator's
 * key/value pairs, sorted by key.
 */
public record ProductView(
    String slug,
    String displayName,
    String description,
    String version,
    boolean hasSchema,
    List<RouteView> routes,
    List<PlanView> plans,
    Map<String, String> metadata)
    implements java.io.Serializable {

  public boolean offers(String planName) {
    return plans.stream().anyMatch(p -> p.name().equals(planName));
  }
}
