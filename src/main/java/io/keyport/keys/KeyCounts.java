package io.keyport.keys;

import io.keyport.catalog.KeyTally;
import io.keyport.identity.OwnedKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.HashMap;
import java.util.Map;

/** Every count of keys that another capability shows: per product, per plan, per owner. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class KeyCounts implements KeyTally, OwnedKeys {

  @PersistenceContext private EntityManager em;

  @Override
  public Map<Long, long[]> perProduct() {
    return all("product_id");
  }

  @Override
  public long[] ofProduct(long productId) {
    return of("product_id", productId);
  }

  @Override
  public Map<Long, long[]> perPlan() {
    return all("plan_id");
  }

  @Override
  public long[] ofPlan(long planId) {
    return of("plan_id", planId);
  }

  @Override
  public Map<Long, Long> livePerUser() {
    Map<Long, Long> counts = new HashMap<>();
    em.createQuery(
            "select k.owner.id, count(k) from ApiKey k where k.revokedAt is null"
                + " group by k.owner.id",
            Object[].class)
        .getResultList()
        .forEach(row -> counts.put((Long) row[0], (Long) row[1]));
    return counts;
  }

  @Override
  public long liveOf(long userId) {
    return em.createQuery(
            "select count(k) from ApiKey k where k.owner.id = :user and k.revokedAt is null",
            Long.class)
        .setParameter("user", userId)
        .getSingleResult();
  }

  /**
   * {live, ever} per value of a column of api_key that is one of the two above; plan-wide keys (no
   * product) count for their plan only.
   */
  private Map<Long, long[]> all(String column) {
    Map<Long, long[]> counts = new HashMap<>();
    for (Object row :
        em.createNativeQuery(
                "select "
                    + column
                    + ", count(*) filter (where revoked_at is null), count(*)"
                    + " from api_key where "
                    + column
                    + " is not null group by "
                    + column)
            .getResultList()) {
      Object[] columns = (Object[]) row;
      counts.put(
          ((Number) columns[0]).longValue(),
          new long[] {((Number) columns[1]).longValue(), ((Number) columns[2]).longValue()});
    }
    return counts;
  }

  private long[] of(String column, long id) {
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
