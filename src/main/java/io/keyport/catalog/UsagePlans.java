package io.keyport.catalog;

import io.keyport.audit.AuditLog;
import io.keyport.audit.AuditLog.FieldChange;
import io.keyport.platform.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Usage plans for administrators: list, create, edit. A changed limit reaches existing keys at
 * once: the commit announces a catalogue change, and every node's gateway check reloads its plans.
 * Like {@link Products}, each change is checked in full first, names the version it edits, and
 * commits with its audit event.
 */
@ApplicationScoped
public class UsagePlans {

  @PersistenceContext private EntityManager em;
  @Inject private AuditLog audit;
  @Inject private KeyTally keyTally;

  /** Every plan, in the order they were made. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public List<ManagedPlan> all() {
    Map<Long, long[]> counts = keyCounts();
    Map<Long, List<String>> offeredBy = offeredBy();
    return em
        .createQuery("select p from UsagePlan p order by p.id", UsagePlan.class)
        .getResultList()
        .stream()
        .map(
            p ->
                managed(
                    p,
                    offeredBy.getOrDefault(p.getId(), List.of()),
                    counts.getOrDefault(p.getId(), new long[2])))
        .toList();
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public ManagedPlan get(String name) {
    UsagePlan plan = find(name);
    return managed(plan, offeredBy().getOrDefault(plan.getId(), List.of()), keyCounts(plan));
  }

  @Transactional
  public ManagedPlan create(String actor, PlanDraft draft) {
    Map<String, String> errors = new LinkedHashMap<>();
    PlanDraft clean = CatalogRules.plan(draft, errors);
    RequestRefused.throwIfAny(errors);
    Products.lockCatalog(em);
    refuseTakenName(clean.name(), null);
    UsagePlan plan = new UsagePlan(clean.name(), clean.displayName(), clean.description());
    plan.revise(
        clean.name(),
        clean.displayName(),
        clean.description(),
        clean.requestsPerUnit(),
        unit(clean),
        clean.monthlyQuota(),
        clean.maxKeysPerUser(),
        Instant.now().truncatedTo(ChronoUnit.MICROS));
    em.persist(plan);
    em.flush();
    audit.recordChanges(
        actor, "usage_plan.created", "usage_plan", plan.getName(), changes(null, plan.view()));
    return managed(plan, List.of(), new long[2]);
  }

  /** Replaces what an administrator edits, if {@code lockVersion} is still the plan's version. */
  @Transactional
  public ManagedPlan update(String actor, String name, Long lockVersion, PlanDraft draft) {
    Map<String, String> errors = new LinkedHashMap<>();
    if (lockVersion == null) {
      errors.put(
          RequestRefused.LOCK_FIELD,
          "Send lockVersion, the value your last read of this plan returned, so Keyport can tell"
              + " whether someone else changed it since.");
    }
    PlanDraft clean = CatalogRules.plan(draft, errors);
    RequestRefused.throwIfAny(errors);
    Products.lockCatalog(em);
    UsagePlan plan = find(name);
    Products.refuseStale(plan.getLockVersion(), lockVersion, "usage plan '" + name + "'");
    long[] keys = keyCounts(plan);
    if (!clean.name().equals(plan.getName())) {
      if (keys[1] > 0) {
        throw new RequestRefused(
            RequestRefused.Reason.CONFLICT,
            "name_locked",
            "name",
            "The plan name '"
                + name
                + "' can no longer change: "
                + keys[1]
                + " API key(s) were made on this plan, and gateways (x-solo-plan), audit records"
                + " and the Redis mirror know it by that name. Change its display name instead.");
      }
      refuseTakenName(clean.name(), plan.getId());
    }
    PlanView before = plan.view();
    PlanView after =
        new PlanView(
            clean.name(),
            clean.displayName(),
            clean.description(),
            clean.requestsPerUnit(),
            unit(clean),
            clean.monthlyQuota(),
            clean.maxKeysPerUser());
    Map<String, FieldChange> changes = changes(before, after);
    List<String> offered = offeredBy().getOrDefault(plan.getId(), List.of());
    if (changes.isEmpty()) {
      return managed(plan, offered, keys);
    }
    plan.revise(
        clean.name(),
        clean.displayName(),
        clean.description(),
        clean.requestsPerUnit(),
        unit(clean),
        clean.monthlyQuota(),
        clean.maxKeysPerUser(),
        Instant.now().truncatedTo(ChronoUnit.MICROS));
    try {
      em.flush();
    } catch (OptimisticLockException e) {
      throw Products.stale("usage plan '" + name + "'");
    }
    audit.recordChanges(actor, "usage_plan.updated", "usage_plan", clean.name(), changes);
    return managed(plan, offered, keys);
  }

  private UsagePlan find(String name) {
    return em.createQuery("select p from UsagePlan p where p.name = :name", UsagePlan.class)
        .setParameter("name", name)
        .getResultStream()
        .findFirst()
        .orElseThrow(
            () ->
                RequestRefused.notFound(
                    "There is no usage plan '"
                        + name
                        + "'. See GET /api/v1/admin/usage-plans for the list."));
  }

  private void refuseTakenName(String name, Long self) {
    boolean taken =
        em.createQuery("select p from UsagePlan p where p.name = :name", UsagePlan.class)
            .setParameter("name", name)
            .getResultStream()
            .anyMatch(p -> !p.getId().equals(self));
    if (taken) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "name_taken",
          "name",
          "There is already a usage plan named '" + name + "'. Pick another name.");
    }
  }

  private static RateUnit unit(PlanDraft clean) {
    return clean.unit() == null ? null : RateUnit.valueOf(clean.unit());
  }

  /** Per plan id: the slugs of the live products that offer it. */
  private Map<Long, List<String>> offeredBy() {
    Map<Long, List<String>> offered = new HashMap<>();
    for (Object row :
        em.createNativeQuery(
                "select pp.plan_id, p.slug from product_plan pp join api_product p on p.id ="
                    + " pp.product_id where p.retired_at is null order by p.slug")
            .getResultList()) {
      Object[] columns = (Object[]) row;
      offered
          .computeIfAbsent(((Number) columns[0]).longValue(), id -> new ArrayList<>())
          .add((String) columns[1]);
    }
    return offered;
  }

  private Map<Long, long[]> keyCounts() {
    return keyTally.perPlan();
  }

  private long[] keyCounts(UsagePlan plan) {
    return keyTally.ofPlan(plan.getId());
  }

  private static ManagedPlan managed(UsagePlan plan, List<String> offeredBy, long[] keys) {
    return new ManagedPlan(
        plan.view(),
        plan.getUpdatedAt(),
        plan.getLockVersion(),
        List.copyOf(offeredBy),
        keys[0],
        keys[1]);
  }

  private static Map<String, FieldChange> changes(PlanView before, PlanView after) {
    Map<String, FieldChange> changes = new LinkedHashMap<>();
    changes.put("name", new FieldChange(before == null ? null : before.name(), after.name()));
    changes.put(
        "displayName",
        new FieldChange(before == null ? null : before.displayName(), after.displayName()));
    changes.put(
        "description",
        new FieldChange(before == null ? null : before.description(), after.description()));
    changes.put("rateLimit", new FieldChange(before == null ? null : limit(before), limit(after)));
    changes.put(
        "monthlyQuota",
        new FieldChange(before == null ? null : before.monthlyQuota(), after.monthlyQuota()));
    changes.put(
        "maxKeysPerUser",
        new FieldChange(before == null ? null : before.maxKeysPerUser(), after.maxKeysPerUser()));
    changes.values().removeIf(c -> Objects.equals(c.before(), c.after()));
    return changes;
  }

  private static String limit(PlanView plan) {
    return plan.limited() ? plan.requestsPerUnit() + "/" + plan.unit() : "none";
  }
}
