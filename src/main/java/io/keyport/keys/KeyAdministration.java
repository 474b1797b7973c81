package io.keyport.keys;

import io.keyport.audit.AuditLog;
import io.keyport.catalog.Catalog;
import io.keyport.catalog.ProductRetired;
import io.keyport.catalog.UsagePlan;
import io.keyport.platform.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * What administrators do to anyone's keys: revoke one or many with a reason, move a key to another
 * plan of its product or change its metadata, and revoke a retired product's keys. Searching and
 * reading every user's keys is {@link KeyDirectory}.
 */
@ApplicationScoped
public class KeyAdministration {

  static final int MAX_REASON_LENGTH = 500;
  static final int MAX_REVOKED_AT_ONCE = 500;

  @PersistenceContext private EntityManager em;
  @Inject private Catalog catalog;
  @Inject private KeyAnnouncements announcements;
  @Inject private KeyHoldings holdings;

  /**
   * Revokes every live key of a product an administrator retires, inside the retiring transaction:
   * each key gets its audit event and Redis mirror change, as a deletion does.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void revokeKeysOfRetiredProduct(@Observes ProductRetired retired) {
    Instant now = Instant.now();
    List<Object[]> live =
        em.createQuery(
                "select k, k.owner.username from ApiKey k where k.product.id = :product"
                    + " and k.revokedAt is null",
                Object[].class)
            .setParameter("product", retired.productId())
            .getResultList();
    for (Object[] row : live) {
      ApiKey key = (ApiKey) row[0];
      String owner = (String) row[1];
      KeyView before = key.view(now);
      key.revoke(now, "API product " + retired.slug() + " retired by " + retired.actor());
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("name", before.name());
      details.put("owner", owner);
      details.put("apiProduct", before.product());
      details.put("usagePlan", before.plan());
      details.put("hint", before.hint());
      details.put("reason", "product retired");
      announcements.announce(retired.actor(), "api_key.revoked", key, owner, details);
    }
  }

  /**
   * An administrator revokes one or many keys, with a reason the owner and the audit trail keep.
   * All or nothing: an unknown or already revoked key refuses the whole request.
   */
  @Transactional
  public List<AdminKeyView> revoke(String actor, Collection<UUID> ids, String reason) {
    Map<String, String> errors = new LinkedHashMap<>();
    if (ids == null || ids.isEmpty()) {
      errors.put("ids", "Pick at least one key to revoke.");
    } else if (ids.size() > MAX_REVOKED_AT_ONCE) {
      errors.put("ids", "Revoke at most " + MAX_REVOKED_AT_ONCE + " keys at once.");
    }
    String why = reason == null ? "" : reason.strip();
    if (why.isEmpty()) {
      errors.put("reason", "Say why the keys are revoked; their owners and the audit log see it.");
    } else if (why.length() > MAX_REASON_LENGTH) {
      errors.put("reason", "A reason has at most " + MAX_REASON_LENGTH + " characters.");
    } else if (why.chars().anyMatch(Character::isISOControl)) {
      errors.put("reason", "A reason cannot contain tabs, newlines or other control characters.");
    }
    RequestRefused.throwIfAny(errors);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    List<ApiKey> revoked = new ArrayList<>();
    for (UUID id : new LinkedHashSet<>(ids)) {
      ApiKey key = em.find(ApiKey.class, id);
      if (key == null) {
        throw RequestRefused.notFound(
            "There is no API key with id " + id + "; nothing was revoked. Reload the list.");
      }
      if (key.isRevoked()) {
        throw new RequestRefused(
            RequestRefused.Reason.CONFLICT,
            "already_revoked",
            "ids",
            "The key "
                + key.view(now).name()
                + " ("
                + id
                + ") is revoked already; nothing was revoked. Leave it out and try again.");
      }
      KeyStatus before = key.adminView(now).status();
      key.revoke(now, why);
      Map<String, AuditLog.FieldChange> changed = new LinkedHashMap<>();
      changed.put("status", new AuditLog.FieldChange(before, KeyStatus.REVOKED));
      changed.put("revokedReason", new AuditLog.FieldChange(null, why));
      announcements.announceChanges(actor, "api_key.revoked", key, changed);
      revoked.add(key);
    }
    em.flush();
    return revoked.stream().map(k -> k.adminView(now)).toList();
  }

  /**
   * An administrator moves a key to another plan of its product and/or replaces its custom
   * metadata. The check sees the change at once, and the Redis mirror rewrites the key's JSON
   * through the outbox row written here, in the same transaction.
   */
  @Transactional
  public AdminKeyView change(String actor, UUID id, KeyChange change) {
    ApiKey key = em.find(ApiKey.class, id);
    if (key == null) {
      throw RequestRefused.notFound("There is no API key with id " + id + ".");
    }
    RequestRefused.requireLockVersion(change.lockVersion(), "the key " + id);
    if (change.lockVersion() != key.getLockVersion()) {
      throw RequestRefused.versionConflict("the key " + id);
    }
    if (key.isRevoked()) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "key_revoked",
          null,
          "This key is revoked, and a revoked key does not change. Its owner can create a new one.");
    }
    Map<String, AuditLog.FieldChange> changed = new LinkedHashMap<>();
    UsagePlan plan = key.getPlan();
    if (change.plan() != null && !change.plan().equals(plan.getName())) {
      plan =
          key.isPlanWide()
              ? KeyRules.planWide(catalog.offeredPlans(), change.plan())
              : KeyRules.plan(key.getProduct(), change.plan());
      holdings.hold(key.getOwner());
      long held = holdings.onPlan(key.getOwner(), plan);
      if (plan.getMaxKeysPerUser() != null && held >= plan.getMaxKeysPerUser()) {
        throw new RequestRefused(
            RequestRefused.Reason.CONFLICT,
            "key_limit_reached",
            "usagePlan",
            key.getOwner().getUsername()
                + " already holds "
                + held
                + " keys on the "
                + plan.getName()
                + " plan, its limit per user. Revoke one of them first, or pick another plan.");
      }
      changed.put("usagePlan", new AuditLog.FieldChange(key.getPlan().getName(), plan.getName()));
    }
    Map<String, String> metadata = key.getMetadata();
    if (change.metadata() != null) {
      metadata = KeyRules.metadata(change.metadata());
      Set<String> names = new TreeSet<>(key.getMetadata().keySet());
      names.addAll(metadata.keySet());
      for (String name : names) {
        String before = key.getMetadata().get(name);
        String after = metadata.get(name);
        if (!Objects.equals(before, after)) {
          changed.put("metadata." + name, new AuditLog.FieldChange(before, after));
        }
      }
    }
    KeyScopes scopes = change.scopes() == null ? null : KeyRules.scopes(change.scopes());
    if (scopes != null && !scopes.equals(key.getScopes())) {
      changed.put("scopes", new AuditLog.FieldChange(key.getScopes(), scopes));
    }
    // A refusal from here on (bad credits, a version conflict at the flush) rolls the whole
    // change back: nothing is half-written.
    if (change.setsCredits()) {
      AuditLog.FieldChange credits =
          KeyCreditSettings.apply(em, key, change.credits(), Instant.now());
      if (credits != null) {
        changed.put("credits", credits);
      }
    }
    if (changed.isEmpty()) {
      return key.adminView(Instant.now());
    }
    key.changePlan(plan);
    key.replaceMetadata(metadata);
    if (scopes != null) {
      key.changeScopes(scopes);
    }
    try {
      em.flush();
    } catch (OptimisticLockException e) {
      throw RequestRefused.versionConflict("the key " + id);
    }
    announcements.announceChanges(actor, "api_key.updated", key, changed);
    em.refresh(key); // the credits were written with SQL
    return key.adminView(Instant.now());
  }
}
