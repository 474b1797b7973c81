package io.keyport.keys;

import io.keyport.audit.AuditLog;
import io.keyport.catalog.ApiProduct;
import io.keyport.catalog.Catalog;
import io.keyport.catalog.ProductRetired;
import io.keyport.catalog.UsagePlan;
import io.keyport.identity.User;
import io.keyport.identity.Users;
import io.keyport.mirror.RedisMirror;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
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
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The life of an API key: create (the value shown once), list, read, delete; and for
 * administrators, revoke with a reason and change plan or metadata.
 */
@ApplicationScoped
public class ApiKeys {

  private static final String LIVE_NAME_CONSTRAINT = "api_key_live_name_unique";
  static final int MAX_REASON_LENGTH = 500;
  static final int MAX_REVOKED_AT_ONCE = 500;

  @PersistenceContext private EntityManager em;
  @Inject private Catalog catalog;
  @Inject private Users users;
  @Inject private KeyHasher hasher;
  @Inject private AuditLog audit;
  @Inject private Event<KeyChanged> changes;
  @Inject private RedisMirror mirror;

  @Inject
  @ConfigProperty(name = "keyport.keys.prefix", defaultValue = "kp")
  String prefix;

  @Inject
  @ConfigProperty(name = "keyport.check.headers-from-metadata")
  Optional<String> headersFromMetadata;

  /** Metadata entries that become trusted upstream headers: only administrators set them. */
  private Map<String, String> trustedMetadata;

  @PostConstruct
  void init() {
    trustedMetadata = MetadataHeaders.trustedEntries(headersFromMetadata.orElse(null));
    if (!KeyFormat.isValidPrefix(prefix)) {
      throw new IllegalStateException(
          "keyport.keys.prefix (env KEYPORT_KEYS_PREFIX) must be 1 to 16 lowercase letters and"
              + " digits, not '"
              + prefix
              + "'");
    }
  }

  /** The caller's unrevoked keys, newest first. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public List<KeyView> keysOf(String username) {
    Instant now = Instant.now();
    return em.createQuery(
            "select k from ApiKey k where k.owner.username = :username and k.revokedAt is null"
                + " order by k.createdAt desc",
            ApiKey.class)
        .setParameter("username", username)
        .getResultStream()
        .map(k -> k.view(now))
        .toList();
  }

  /**
   * One of the caller's unrevoked keys; another user's key is "not found", so ids of others' keys
   * reveal nothing.
   */
  @Transactional(Transactional.TxType.SUPPORTS)
  public KeyView keyOf(String username, UUID id) {
    return ownedLiveKey(username, id).view(Instant.now());
  }

  @Transactional
  public CreatedKey create(String username, NewKey request) {
    User owner =
        users
            .find(username)
            .orElseThrow(() -> RequestRefused.notFound("There is no user " + username + "."));
    String name = KeyRules.name(request.name());
    ApiProduct product = product(request.product());
    UsagePlan plan = plan(product, request.plan());
    // PostgreSQL keeps microseconds: the create answer must show the instants later reads show.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Map<String, String> metadata = KeyRules.ownersMetadata(request.metadata(), trustedMetadata);
    Instant expiresAt =
        KeyRules.expiry(
            request.expiresAt() == null ? null : request.expiresAt().truncatedTo(ChronoUnit.MICROS),
            now);
    refuseTakenName(owner, product, name);
    holdKeysOf(owner);
    refuseOverPlanCap(owner, plan);

    String value = KeyFormat.generate(prefix);
    ApiKey key =
        new ApiKey(
            owner,
            product,
            plan,
            name,
            hasher.hash(value),
            KeyFormat.hint(value),
            now,
            expiresAt,
            metadata);
    em.persist(key);
    try {
      em.flush();
    } catch (PersistenceException e) {
      if (String.valueOf(rootMessage(e)).contains(LIVE_NAME_CONSTRAINT)) {
        throw nameTaken(name, product);
      }
      throw e;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", name);
    details.put("apiProduct", product.getSlug());
    details.put("usagePlan", plan.getName());
    details.put("hint", KeyFormat.hint(value));
    details.put("expiresAt", expiresAt);
    audit.record(username, "api_key.created", "api_key", key.getId().toString(), details);
    mirror.enqueue(key.getId(), key.getKeyHash(), username);
    changes.fire(new KeyChanged(key.getKeyHash()));
    return new CreatedKey(key.view(now), value);
  }

  /** Deletes one of the caller's keys: it is revoked at once and kept for the audit trail. */
  @Transactional
  public void delete(String username, UUID id) {
    ApiKey key = ownedLiveKey(username, id);
    KeyView before = key.view(Instant.now());
    key.revoke(Instant.now(), "deleted by its owner");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", before.name());
    details.put("apiProduct", before.product());
    details.put("usagePlan", before.plan());
    details.put("hint", before.hint());
    audit.record(username, "api_key.deleted", "api_key", id.toString(), details);
    mirror.enqueue(id, key.getKeyHash(), username);
    changes.fire(new KeyChanged(key.getKeyHash()));
  }

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
      audit.record(retired.actor(), "api_key.revoked", "api_key", key.getId().toString(), details);
      mirror.enqueue(key.getId(), key.getKeyHash(), owner);
      changes.fire(new KeyChanged(key.getKeyHash()));
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
    if (!errors.isEmpty()) {
      throw RequestRefused.invalid(errors);
    }
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
      audit.recordChanges(actor, "api_key.revoked", "api_key", id.toString(), changed);
      mirror.enqueue(id, key.getKeyHash(), key.getOwner().getUsername());
      changes.fire(new KeyChanged(key.getKeyHash()));
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
    if (change.version() == null) {
      throw RequestRefused.invalid(
          "version", "Send the key's version as you read it, so no one's change is overwritten.");
    }
    if (change.version() != key.getLockVersion()) {
      throw keyConflict(id);
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
      plan = plan(key.getProduct(), change.plan());
      holdKeysOf(key.getOwner());
      refuseOwnerOverPlanCap(key.getOwner(), plan);
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
    if (changed.isEmpty()) {
      return key.adminView(Instant.now());
    }
    key.changePlan(plan);
    key.replaceMetadata(metadata);
    try {
      em.flush();
    } catch (OptimisticLockException e) {
      throw keyConflict(id);
    }
    audit.recordChanges(actor, "api_key.updated", "api_key", id.toString(), changed);
    mirror.enqueue(id, key.getKeyHash(), key.getOwner().getUsername());
    changes.fire(new KeyChanged(key.getKeyHash()));
    return key.adminView(Instant.now());
  }

  private static RequestRefused keyConflict(UUID id) {
    return new RequestRefused(
        RequestRefused.Reason.CONFLICT,
        "version_conflict",
        "version",
        "Someone changed the key "
            + id
            + " since you opened it. Reload it, check its plan and metadata, and make your change"
            + " again.");
  }

  private ApiKey ownedLiveKey(String username, UUID id) {
    return em.createQuery(
            "select k from ApiKey k where k.id = :id and k.owner.username = :username"
                + " and k.revokedAt is null",
            ApiKey.class)
        .setParameter("id", id)
        .setParameter("username", username)
        .getResultStream()
        .findFirst()
        .orElseThrow(() -> RequestRefused.notFound("You have no API key with id " + id + "."));
  }

  private ApiProduct product(String slug) {
    if (slug == null || slug.isBlank()) {
      throw RequestRefused.invalid("apiProduct", "Name the API product the key is for.");
    }
    ApiProduct product = catalog.liveProduct(slug).orElseThrow(() -> noSuchProduct(slug));
    // Retiring revokes the product's keys. Holding its row (FOR SHARE) until this key commits
    // makes a retirement either wait for the key and revoke it, or finish first and refuse it.
    em.refresh(product, LockModeType.PESSIMISTIC_READ);
    if (product.isRetired()) {
      throw noSuchProduct(slug);
    }
    return product;
  }

  private static RequestRefused noSuchProduct(String slug) {
    return RequestRefused.invalid(
        "apiProduct", "There is no API product '" + slug + "'. See GET /api/v1/api-products.");
  }

  private static UsagePlan plan(ApiProduct product, String planName) {
    if (planName == null || planName.isBlank()) {
      throw RequestRefused.invalid("usagePlan", "Name the usage plan the key is for.");
    }
    return product.getPlans().stream()
        .filter(p -> p.getName().equals(planName))
        .findFirst()
        .orElseThrow(
            () ->
                RequestRefused.invalid(
                    "usagePlan",
                    "The API product '"
                        + product.getSlug()
                        + "' has no usage plan '"
                        + planName
                        + "'. Pick one of: "
                        + String.join(
                            ", ", product.getPlans().stream().map(UsagePlan::getName).toList())
                        + "."));
  }

  /**
   * Serialises whatever changes how many keys a user holds on a plan, until this transaction ends:
   * without it, parallel creations each count the keys already held, all see room under the plan's
   * cap, and all insert. A row lock on the owner (FOR NO KEY UPDATE: it does not block inserts that
   * merely reference the user) makes the next creation count after this one has committed.
   */
  private void holdKeysOf(User owner) {
    em.createNativeQuery("select id from app_user where id = ? for no key update")
        .setParameter(1, owner.getId())
        .getSingleResult();
  }

  private void refuseTakenName(User owner, ApiProduct product, String name) {
    long taken =
        em.createQuery(
                "select count(k) from ApiKey k where k.owner = :owner and k.product = :product"
                    + " and k.name = :name and k.revokedAt is null",
                Long.class)
            .setParameter("owner", owner)
            .setParameter("product", product)
            .setParameter("name", name)
            .getSingleResult();
    if (taken > 0) {
      throw nameTaken(name, product);
    }
  }

  private void refuseOverPlanCap(User owner, UsagePlan plan) {
    long held = heldOnPlan(owner, plan);
    if (plan.getMaxKeysPerUser() != null && held >= plan.getMaxKeysPerUser()) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "key_limit_reached",
          "usagePlan",
          "You already hold "
              + held
              + " keys on the "
              + plan.getName()
              + " plan, its limit. Delete one first.");
    }
  }

  private void refuseOwnerOverPlanCap(User owner, UsagePlan plan) {
    long held = heldOnPlan(owner, plan);
    if (plan.getMaxKeysPerUser() != null && held >= plan.getMaxKeysPerUser()) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "key_limit_reached",
          "usagePlan",
          owner.getUsername()
              + " already holds "
              + held
              + " keys on the "
              + plan.getName()
              + " plan, its limit per user. Revoke one of them first, or pick another plan.");
    }
  }

  private long heldOnPlan(User owner, UsagePlan plan) {
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

  private static RequestRefused nameTaken(String name, ApiProduct product) {
    return new RequestRefused(
        RequestRefused.Reason.CONFLICT,
        "name_taken",
        "apiKeyName",
        "You already have a key named '"
            + name
            + "' for "
            + product.getSlug()
            + ". Choose another name.");
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage();
  }
}
