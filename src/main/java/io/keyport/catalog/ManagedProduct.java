package io.keyport.catalog;

import java.time.Instant;
import java.util.List;

/**
 * An API product as the admin console shows it: what developers see, plus the OpenAPI text, the
 * lifecycle, the version an edit must name (optimistic locking), and how many keys it has.
 */
public record ManagedProduct(
    ProductView product,
    String openapi,
    Instant updatedAt,
    Instant retiredAt,
    long lockVersion,
    long liveKeys,
    long keysEverMade)
    implements java.io.Serializable {

  public String slug() {
    return product.slug();
  }

  public boolean retired() {
    return retiredAt != null;
  }

  /** Gateways, audit rows and the Redis mirror know the product by its slug once keys exist. */
  public boolean slugLocked() {
    return keysEverMade > 0;
  }

  public List<String> planNames() {
    return product.plans().stream().map(PlanView::name).toList();
  }
}
