package io.keyport.keys;

import io.keyport.audit.AuditLog;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Sets or removes a key's credits in the caller's transaction, with SQL beside the entity (see
 * {@link ApiKey}): a new setting bumps the generation, which the change feed announces to every
 * node and which starts the shared count in Redis afresh.
 */
final class KeyCreditSettings {

  private KeyCreditSettings() {}

  /**
   * Applies {@code grant} (null: remove the limit) and returns the audit change, or null when
   * nothing changes (removing credits a key does not have).
   */
  static AuditLog.FieldChange apply(EntityManager em, ApiKey key, CreditGrant grant, Instant now) {
    KeyCredits before = key.getCredits();
    String was = describe(before, now);
    if (grant == null) {
      if (before == null) {
        return null;
      }
      em.createNativeQuery("delete from api_key_credits where key_id = :key")
          .setParameter("key", key.getId())
          .executeUpdate();
      return new AuditLog.FieldChange(was, null);
    }
    KeyCredits credits = KeyRules.credits(grant, now, before == null ? 1 : before.generation() + 1);
    // Without a refill the two refill columns are literal nulls: a bound null has no SQL type.
    String refill = credits.refills() ? ":amount, :interval" : "null, null";
    var upsert =
        em.createNativeQuery(
                "insert into api_key_credits"
                    + " (key_id, remaining, refill_amount, refill_interval, refilled_at, generation)"
                    + " values (:key, :remaining, "
                    + refill
                    + ", :refilledAt, :generation) on conflict (key_id) do update set"
                    + " remaining = excluded.remaining, refill_amount = excluded.refill_amount,"
                    + " refill_interval = excluded.refill_interval,"
                    + " refilled_at = excluded.refilled_at,"
                    + " generation = api_key_credits.generation + 1")
            .setParameter("key", key.getId())
            .setParameter("remaining", credits.remaining())
            .setParameter("refilledAt", Timestamp.from(credits.refilledAt()))
            .setParameter("generation", credits.generation());
    if (credits.refills()) {
      upsert
          .setParameter("amount", credits.refillAmount())
          .setParameter("interval", credits.refillInterval().name());
    }
    upsert.executeUpdate();
    return new AuditLog.FieldChange(was, describe(credits, now));
  }

  private static String describe(KeyCredits credits, Instant now) {
    if (credits == null) {
      return null;
    }
    return credits.remainingAt(now)
        + (credits.refills()
            ? " (refill " + credits.refillAmount() + " " + credits.refillInterval() + ")"
            : "");
  }
}
