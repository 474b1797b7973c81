package io.keyport.keys;

import io.keyport.catalog.UsagePlan;
import io.keyport.identity.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;

/**
 * How many live keys a user holds on a plan, counted so that a plan's cap per user holds: an owner
 * creating keys and an administrator moving one onto a plan take the same lock first.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
class KeyHoldings {

  @PersistenceContext private EntityManager em;

  /**
   * Serialises whatever changes how many keys a user holds on a plan, until this transaction ends:
   * without it, parallel creations each count the keys already held, all see room under the plan's
   * cap, and all insert. A row lock on the owner (FOR NO KEY UPDATE: it does not block inserts that
   * merely reference the user) makes the next creation count after this one has committed.
   */
  void hold(User owner) {
    em.createNativeQuery("select id from app_user where id = ? for no key update")
        .setParameter(1, owner.getId())
        .getSingleResult();
  }

  /** The owner's live keys on the plan; 0 for a plan without a cap, which never needs counting. */
  long onPlan(User owner, UsagePlan plan) {
    if (plan.getMaxKeysPerUser() == null) {
      return 0;
    }
    return em.createQuery(
            "select count(k) from ApiKey k where k.owner = :owner and k.plan = :plan"
                + " and k.revokedAt is null",
            Long.class)
        .setParameter("owner", owner)
        .setParameter("plan", plan)
        .getSingleResult();
  }
}
