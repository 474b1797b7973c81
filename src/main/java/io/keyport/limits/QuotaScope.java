package io.keyport.limits;

import io.keyport.keys.LiveKey;

/**
 * What a monthly quota is counted for: one user on one product and plan, not one key. Deleting a
 * key and creating another on the same product and plan therefore continues the month's count
 * instead of starting it afresh. Built from the check's cached key, so counting needs no database.
 */
record QuotaScope(String username, String product, String plan) {

  /** The product of a plan-wide key's scope: its plan on every product, counted together. */
  static final String PLAN_WIDE = "*";

  static QuotaScope of(LiveKey key) {
    return new QuotaScope(
        key.username(), key.product() == null ? PLAN_WIDE : key.product(), key.plan());
  }
}
