package io.keyport.keys;

import io.keyport.audit.AuditLog;
import io.keyport.catalog.ApiProduct;
import io.keyport.catalog.Catalog;
import io.keyport.catalog.UsagePlan;
import io.keyport.identity.User;
import io.keyport.identity.Users;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The life of an API key as its owner sees it: create (the value shown once), list, read, delete.
 * What administrators do to keys is in {@link KeyAdministration}.
 */
@ApplicationScoped
public class ApiKeys {

  private static final String LIVE_NAME_CONSTRAINT = "api_key_live_name_unique";
  private static final String LIVE_PLAN_WIDE_NAME_CONSTRAINT = "api_key_live_plan_wide_name_unique";

  @PersistenceContext private EntityManager em;
  @Inject private Catalog catalog;
  @Inject private Users users;
  @Inject private KeyHasher hasher;
  @Inject private KeyAnnouncements announcements;
  @Inject private KeyHoldings holdings;

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
    boolean planWide = request.product() == null || request.product().isBlank();
    ApiProduct product = planWide ? null : product(request.product());
    UsagePlan plan =
        planWide
            ? KeyRules.planWide(catalog.offeredPlans(), request.plan())
            : KeyRules.plan(product, request.plan());
    // PostgreSQL keeps microseconds: the create answer must show the instants later reads show.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Map<String, String> metadata = KeyRules.ownersMetadata(request.metadata(), trustedMetadata);
    Instant expiresAt =
        KeyRules.expiry(
            request.expiresAt() == null ? null : request.expiresAt().truncatedTo(ChronoUnit.MICROS),
            now);
    refuseTakenName(owner, product, plan, name);
    holdings.hold(owner);
    long held = holdings.onPlan(owner, plan);
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
      String cause = String.valueOf(rootMessage(e));
      if (cause.contains(LIVE_NAME_CONSTRAINT) || cause.contains(LIVE_PLAN_WIDE_NAME_CONSTRAINT)) {
        throw nameTaken(name, product, plan);
      }
      throw e;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", name);
    details.put("apiProduct", product == null ? null : product.getSlug());
    details.put("usagePlan", plan.getName());
    details.put("hint", KeyFormat.hint(value));
    details.put("expiresAt", expiresAt);
    announcements.announce(username, "api_key.created", key, username, details);
    return new CreatedKey(key.view(now), value);
  }

  /**
   * The owner changes a key's name, expiry or IP allowlist (SPEC §11); what {@code edit} leaves
   * null stays as it is. Every node's check sees the change within the change feed's delay.
   */
  @Transactional
  public KeyView edit(String username, UUID id, KeyEdit edit) {
    return edit(username, id, edit, false);
  }

  /**
   * As {@link #edit(String, UUID, KeyEdit)}; {@code admin}: the caller is an administrator, the
   * only one who may set credits (an owner granting themself uses would make them meaningless).
   */
  @Transactional
  public KeyView edit(String username, UUID id, KeyEdit edit, boolean admin) {
    if (edit.setsCredits() && !admin) {
      throw new RequestRefused(
          RequestRefused.Reason.FORBIDDEN,
          "credits_admin_only",
          "credits",
          "Only an administrator sets a key's credits. Ask one to change them (PATCH"
              + " /api/v1/admin/api-keys/{id}).");
    }
    ApiKey key = ownedLiveKey(username, id);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    String name = edit.name() == null ? null : KeyRules.name(edit.name());
    Instant expiresAt =
        edit.expiresAt() == null
            ? null
            : KeyRules.expiry(edit.expiresAt().truncatedTo(ChronoUnit.MICROS), now);
    List<String> cidrs =
        edit.allowedCidrs() == null ? null : KeyRules.allowedCidrs(edit.allowedCidrs());
    Map<String, AuditLog.FieldChange> changed = new LinkedHashMap<>();
    if (name != null && !name.equals(key.getName())) {
      refuseTakenName(key.getOwner(), key.getProduct(), key.getPlan(), name);
      changed.put("name", new AuditLog.FieldChange(key.getName(), name));
    }
    if (expiresAt != null && !expiresAt.equals(key.getExpiresAt())) {
      changed.put(
          "expiresAt",
          new AuditLog.FieldChange(String.valueOf(key.getExpiresAt()), expiresAt.toString()));
    }
    if (cidrs != null && !Set.copyOf(cidrs).equals(Set.copyOf(key.getAllowedCidrs()))) {
      changed.put(
          "allowedCidrs",
          new AuditLog.FieldChange(
              String.join(", ", key.getAllowedCidrs()), String.join(", ", cidrs)));
    }
    KeyScopes scopes = edit.scopes() == null ? null : KeyRules.scopes(edit.scopes());
    if (scopes != null && !scopes.equals(key.getScopes())) {
      changed.put("scopes", new AuditLog.FieldChange(key.getScopes(), scopes));
      key.changeScopes(scopes);
    }
    if (edit.setsCredits()) {
      AuditLog.FieldChange credits = KeyCreditSettings.apply(em, key, edit.credits(), now);
      if (credits != null) {
        changed.put("credits", credits);
      }
    }
    if (changed.isEmpty()) {
      return key.view(now);
    }
    key.edit(name, expiresAt, cidrs);
    try {
      em.flush();
    } catch (PersistenceException e) {
      String cause = String.valueOf(rootMessage(e));
      if (cause.contains(LIVE_NAME_CONSTRAINT) || cause.contains(LIVE_PLAN_WIDE_NAME_CONSTRAINT)) {
        throw nameTaken(name, key.getProduct(), key.getPlan());
      }
      throw e;
    }
    announcements.announceChanges(username, "api_key.updated", key, changed);
    em.refresh(key); // the credits were written with SQL
    return key.view(now);
  }

  /**
   * Gives one of the caller's keys a new value (SPEC §11), shown this once; the key keeps its id,
   * so its usage, limits and quota carry on. The value it had passes for {@code gracePeriodSeconds}
   * more (0: it stops now), never beyond the key's expiry.
   */
  @Transactional
  public RolledKey roll(String username, UUID id, Long gracePeriodSeconds) {
    Duration grace = KeyRules.gracePeriod(gracePeriodSeconds);
    ApiKey key = ownedLiveKey(username, id);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    if (key.getExpiresAt() != null && !key.getExpiresAt().isAfter(now)) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "key_expired",
          null,
          "This key expired at "
              + key.getExpiresAt()
              + "; a new value would be expired too. Move its expiry first (PATCH"
              + " /api/v1/api-keys/"
              + id
              + "), or create a new key.");
    }
    Set<String> displaced = new LinkedHashSet<>();
    Optional<Rolling> before = key.rolling(now);
    if (key.getPreviousKeyHash() != null) {
      displaced.add(key.getPreviousKeyHash());
    }
    String previousHint = key.getHint();
    String value = KeyFormat.generate(prefix);
    Instant previousValidUntil = key.roll(hasher.hash(value), KeyFormat.hint(value), now, grace);
    em.flush();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", key.getName());
    details.put("hint", key.getHint());
    details.put("previousHint", previousHint);
    details.put("gracePeriodSeconds", grace.toSeconds());
    details.put("previousValidUntil", previousValidUntil);
    before.ifPresent(rolling -> details.put("endedEarlierValue", rolling.previousHint()));
    announcements.announceRoll(username, "api_key.rolled", key, details, displaced);
    return new RolledKey(key.view(now), value, previousValidUntil);
  }

  /**
   * Ends the grace of the caller's key's previous value now: from then on only the value of its
   * last roll passes. A key without a grace running is refused with 409 and left as it is.
   */
  @Transactional
  public KeyView endGrace(String username, UUID id) {
    ApiKey key = ownedLiveKey(username, id);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Optional<Rolling> rolling = key.rolling(now);
    if (rolling.isEmpty() || !key.endGrace(now)) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "no_grace_running",
          null,
          "This key has no previous value that still passes: nothing to end. Roll the key to"
              + " give it a new value.");
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", key.getName());
    details.put("previousHint", rolling.get().previousHint());
    details.put("wasValidUntil", rolling.get().previousValidUntil());
    details.put("endedAt", now);
    announcements.announceRoll(username, "api_key.grace_ended", key, details, Set.of());
    return key.view(now);
  }

  /** The grace of one of the caller's keys, while its previous value still passes. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public Optional<Rolling> rollingOf(String username, UUID id) {
    return ownedLiveKey(username, id).rolling(Instant.now());
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
    announcements.announce(username, "api_key.deleted", key, username, details);
  }

  /** One of the caller's live keys, or 404 as the owner's calls answer it. */
  ApiKey ownedLiveKey(String username, UUID id) {
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

  /** A name is taken by a live key of the owner's on the same product, or, plan-wide, plan. */
  private void refuseTakenName(User owner, ApiProduct product, UsagePlan plan, String name) {
    long taken =
        (product == null
                ? em.createQuery(
                        "select count(k) from ApiKey k where k.owner = :owner and k.product is null"
                            + " and k.plan = :scope and k.name = :name and k.revokedAt is null",
                        Long.class)
                    .setParameter("scope", plan)
                : em.createQuery(
                        "select count(k) from ApiKey k where k.owner = :owner"
                            + " and k.product = :scope and k.name = :name and k.revokedAt is null",
                        Long.class)
                    .setParameter("scope", product))
            .setParameter("owner", owner)
            .setParameter("name", name)
            .getSingleResult();
    if (taken > 0) {
      throw nameTaken(name, product, plan);
    }
  }

  private static RequestRefused nameTaken(String name, ApiProduct product, UsagePlan plan) {
    return new RequestRefused(
        RequestRefused.Reason.CONFLICT,
        "name_taken",
        "apiKeyName",
        "You already have a key named '"
            + name
            + "' for "
            + (product == null ? "all APIs on the " + plan.getName() + " plan" : product.getSlug())
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
