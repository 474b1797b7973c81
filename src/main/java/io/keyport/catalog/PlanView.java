package io.keyport.catalog;

/** A usage plan as pages and the REST API show it. {@code requestsPerUnit} null: no limit. */
public record PlanView(
    String name,
    String displayName,
    String description,
    Integer requestsPerUnit,
    RateUnit unit,
    Long monthlyQuota,
    Integer maxKeysPerUser)
    implements java.io.Serializable {

  public boolean limited() {
    return requestsPerUnit != null;
  }
}
