package io.keyport.catalog;

import java.util.List;

/** An API product as pages and the REST API show it. */
public record ProductView(
    String slug,
    String displayName,
    String description,
    String version,
    boolean hasSchema,
    List<RouteView> routes,
    List<PlanView> plans)
    implements java.io.Serializable {

  public boolean offers(String planName) {
    return plans.stream().anyMatch(p -> p.name().equals(planName));
  }
}
