package io.keyport.catalog;

import jakarta.persistence.EntityManager;
import java.util.HashMap;
import java.util.Map;

/**
 * How many keys a product or plan has: {live keys, keys ever made}. The admin pages show the first;
 * the second decides whether a slug or plan name may still change.
 */
final class KeyCounts {

  static final String PRODUCT = "product_id";
  static final String PLAN = "plan_id";

  private KeyCounts() {}

  /** Per product or plan id (by {@link #PRODUCT} or {@link #PLAN}); absent when none was made. */
  static Map<Long, long[]> all(EntityManager em, String column) {
    Map<Long, long[]> counts = new HashMap<>();
    for (Object row :
        em.createNativeQuery(
                "select "
                    + column
                    + ", count(*) filter (where revoked_at is null), count(*)"
                    + " from api_key group by "
                    + column)
            .getResultList()) {
      Object[] columns = (Object[]) row;
      counts.put(
          ((Number) columns[0]).longValue(),
          new long[] {((Number) columns[1]).longValue(), ((Number) columns[2]).longValue()});
    }
    return counts;
  }

  /** The counts of one product or plan. */
  static long[] of(EntityManager em, String column, long id) {
    Object[] columns =
        (Object[])
            em.createNativeQuery(
                    "select count(*) filter (where revoked_at is null), count(*) from api_key"
                        + " where "
                        + column
                        + " = ?1")
                .setParameter(1, id)
                .getSingleResult();
    return new long[] {((Number) columns[0]).longValue(), ((Number) columns[1]).longValue()};
  }
}
