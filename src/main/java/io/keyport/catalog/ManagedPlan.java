package io.keyport.catalog;

import java.time.Instant;
import java.util.List;

/**
 * A usage plan as the admin console shows it: its limits, the version an edit must name (optimistic
 * locking), the live products that offer it, and how many keys use it.
 */
public record ManagedPlan(
    PlanView plan,
    Instant updatedAt,
    long lockVersion,
    List<String> products,
    long liveKeys,
    long keysEverMade)
    implements java.io.Serializable {

  public String name() {
    return plan.name();
  }

  /** Keys, the check's x-solo-plan header and the Redis mirror know the plan by its name. */
  public boolean nameLocked() {
    return keysEverMade > 0;
  }
}
