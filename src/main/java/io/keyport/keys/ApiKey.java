package io.keyport.keys;

import io.keyport.catalog.ApiProduct;
import io.keyport.catalog.UsagePlan;
import io.keyport.identity.User;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.hibernate.annotations.Fetch;
import org.hibernate.annotations.FetchMode;
import org.hibernate.annotations.Formula;

/**
 * An API key of one user for one product and plan, or for a plan alone: a plan-wide key (no
 * product, SPEC §10) passes on every live product that offers its plan. Only the HMAC of the key
 * value is stored; a deleted key is revoked, not removed, so the audit trail keeps pointing at
 * something.
 */
@Entity
@Table(name = "api_key")
public class ApiKey {

  @Id private UUID id;

  @ManyToOne(optional = false, fetch = FetchType.EAGER)
  @JoinColumn(name = "user_id", updatable = false)
  private User owner;

  /** Null for a plan-wide key. Optional, so Hibernate's eager fetch is an outer join. */
  @ManyToOne(fetch = FetchType.EAGER)
  @JoinColumn(name = "product_id", updatable = false)
  private ApiProduct product;

  @ManyToOne(optional = false, fetch = FetchType.EAGER)
  @JoinColumn(name = "plan_id")
  private UsagePlan plan;

  @Column(nullable = false)
  private String name;

  @Column(name = "key_hash", nullable = false)
  private String keyHash;

  @Column(nullable = false)
  private String hint;

  /** The value the key had before its last roll, passing until {@code previousValidUntil}. */
  @Column(name = "previous_key_hash")
  private String previousKeyHash;

  @Column(name = "previous_hint")
  private String previousHint;

  @Column(name = "previous_valid_until")
  private Instant previousValidUntil;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  @Column(name = "expires_at")
  private Instant expiresAt;

  @Column(name = "revoked_at")
  private Instant revokedAt;

  @Column(name = "revoked_reason")
  private String revokedReason;

  @Column(name = "last_used_at")
  private Instant lastUsedAt;

  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "api_key_metadata", joinColumns = @JoinColumn(name = "key_id"))
  @MapKeyColumn(name = "meta_key")
  @Column(name = "meta_value")
  private Map<String, String> metadata = new TreeMap<>();

  /** The IP allowlist in CIDR notation; empty: any address. Its own select, beside the map. */
  @ElementCollection(fetch = FetchType.EAGER)
  @Fetch(FetchMode.SELECT)
  @CollectionTable(name = "api_key_cidr", joinColumns = @JoinColumn(name = "key_id"))
  @Column(name = "cidr")
  private Set<String> allowedCidrs = new TreeSet<>();

  /** Scopes: the methods and path prefixes the key may use; empty: not narrowed. */
  @ElementCollection(fetch = FetchType.EAGER)
  @Fetch(FetchMode.SELECT)
  @CollectionTable(name = "api_key_scope_method", joinColumns = @JoinColumn(name = "key_id"))
  @Column(name = "method")
  private Set<String> allowedMethods = new TreeSet<>();

  @ElementCollection(fetch = FetchType.EAGER)
  @Fetch(FetchMode.SELECT)
  @CollectionTable(name = "api_key_scope_path", joinColumns = @JoinColumn(name = "key_id"))
  @Column(name = "path_prefix")
  private Set<String> allowedPathPrefixes = new TreeSet<>();

  // Credits are read here and written only with SQL (KeyCreditSettings, and the check's atomic
  // take), so an edit of the key never writes back a count the check has moved on from.
  @Formula("(select c.remaining from api_key_credits c where c.key_id = id)")
  private Long creditsRemaining;

  @Formula("(select c.refill_amount from api_key_credits c where c.key_id = id)")
  private Long creditsRefillAmount;

  @Formula("(select c.refill_interval from api_key_credits c where c.key_id = id)")
  private String creditsRefillInterval;

  @Formula("(select c.refilled_at from api_key_credits c where c.key_id = id)")
  private Instant creditsRefilledAt;

  @Formula("(select c.generation from api_key_credits c where c.key_id = id)")
  private Long creditsGeneration;

  @Version
  @Column(name = "lock_version")
  private long lockVersion;

  protected ApiKey() {}

  ApiKey(
      User owner,
      ApiProduct product,
      UsagePlan plan,
      String name,
      String keyHash,
      String hint,
      Instant createdAt,
      Instant expiresAt,
      Map<String, String> metadata) {
    this.id = UUID.randomUUID();
    this.owner = owner;
    this.product = product;
    this.plan = plan;
    this.name = name;
    this.keyHash = keyHash;
    this.hint = hint;
    this.createdAt = createdAt;
    this.expiresAt = expiresAt;
    this.metadata.putAll(metadata);
  }

  void revoke(Instant at, String reason) {
    this.revokedAt = at;
    this.revokedReason = reason;
  }

  /** The owner's edit: a new name, expiry or allowlist; null leaves that one as it is. */
  void edit(String name, Instant expiresAt, List<String> allowedCidrs) {
    if (name != null) {
      this.name = name;
    }
    if (expiresAt != null) {
      this.expiresAt = expiresAt;
    }
    if (allowedCidrs != null) {
      this.allowedCidrs.clear();
      this.allowedCidrs.addAll(allowedCidrs);
    }
  }

  /**
   * Gives the key a new value (SPEC §11): the value it had becomes its previous one and passes
   * until {@code now + grace}, or the key's own expiry if that comes first; a value rolled away
   * before (a grace still running) stops at once. Returns the previous value's end.
   */
  Instant roll(String newHash, String newHint, Instant now, Duration grace) {
    Instant until = now.plus(grace);
    if (expiresAt != null && expiresAt.isBefore(until)) {
      until = expiresAt;
    }
    this.previousKeyHash = keyHash;
    this.previousHint = hint;
    this.previousValidUntil = until;
    this.keyHash = newHash;
    this.hint = newHint;
    return until;
  }

  /** Ends the previous value's grace now; false when there was none running. */
  boolean endGrace(Instant now) {
    if (!inGrace(now)) {
      return false;
    }
    this.previousValidUntil = now;
    return true;
  }

  /** Whether the value from before the last roll still passes at {@code now}. */
  boolean inGrace(Instant now) {
    return previousKeyHash != null && previousValidUntil != null && previousValidUntil.isAfter(now);
  }

  /** The previous value's hash, or null when the key was never rolled. */
  String getPreviousKeyHash() {
    return previousKeyHash;
  }

  /** The previous value and until when it passes, while it does; else empty. */
  Optional<Rolling> rolling(Instant now) {
    return inGrace(now)
        ? Optional.of(new Rolling(id, previousHint, previousValidUntil))
        : Optional.empty();
  }

  String getHint() {
    return hint;
  }

  KeyScopes getScopes() {
    return new KeyScopes(List.copyOf(allowedMethods), List.copyOf(allowedPathPrefixes));
  }

  void changeScopes(KeyScopes scopes) {
    allowedMethods.clear();
    allowedMethods.addAll(scopes.methods());
    allowedPathPrefixes.clear();
    allowedPathPrefixes.addAll(scopes.pathPrefixes());
  }

  /** The credits as stored when the key was read, or null for a key without a credit limit. */
  KeyCredits getCredits() {
    if (creditsRemaining == null) {
      return null;
    }
    return new KeyCredits(
        creditsRemaining,
        creditsRefillAmount,
        creditsRefillInterval == null ? null : RefillInterval.valueOf(creditsRefillInterval),
        creditsRefilledAt,
        creditsGeneration);
  }

  String getName() {
    return name;
  }

  Instant getExpiresAt() {
    return expiresAt;
  }

  List<String> getAllowedCidrs() {
    return List.copyOf(allowedCidrs);
  }

  void changePlan(UsagePlan plan) {
    this.plan = plan;
  }

  void replaceMetadata(Map<String, String> metadata) {
    this.metadata.clear();
    this.metadata.putAll(metadata);
  }

  User getOwner() {
    return owner;
  }

  /** The key's product, or null for a plan-wide key. */
  ApiProduct getProduct() {
    return product;
  }

  boolean isPlanWide() {
    return product == null;
  }

  private String productSlug() {
    return product == null ? null : product.getSlug();
  }

  private String productDisplayName() {
    return product == null ? null : product.view().displayName();
  }

  UsagePlan getPlan() {
    return plan;
  }

  Map<String, String> getMetadata() {
    return Map.copyOf(metadata);
  }

  Instant getRevokedAt() {
    return revokedAt;
  }

  String getRevokedReason() {
    return revokedReason;
  }

  boolean isRevoked() {
    return revokedAt != null;
  }

  long getLockVersion() {
    return lockVersion;
  }

  public UUID getId() {
    return id;
  }

  public String getKeyHash() {
    return keyHash;
  }

  /** The key as administrators see it: whose it is, why it was revoked, and its version. */
  public AdminKeyView adminView(Instant now) {
    return new AdminKeyView(
        id,
        name,
        owner.getUsername(),
        owner.getDisplayName(),
        owner.isEnabled(),
        productSlug(),
        productDisplayName(),
        plan.getName(),
        plan.getDisplayName(),
        hint,
        new TreeMap<>(metadata),
        createdAt,
        expiresAt,
        lastUsedAt,
        revokedAt,
        revokedReason,
        status(now),
        lockVersion,
        getScopes(),
        CreditsView.of(getCredits(), now));
  }

  private KeyStatus status(Instant now) {
    return revokedAt != null
        ? KeyStatus.REVOKED
        : expiresAt != null && !expiresAt.isAfter(now) ? KeyStatus.EXPIRED : KeyStatus.ACTIVE;
  }

  public KeyView view(Instant now) {
    KeyStatus status = status(now);
    return new KeyView(
        id,
        name,
        productSlug(),
        productDisplayName(),
        plan.getName(),
        plan.getDisplayName(),
        hint,
        Map.copyOf(metadata),
        createdAt,
        expiresAt,
        lastUsedAt,
        status,
        allowedCidrs.stream().sorted().toList(),
        getScopes(),
        CreditsView.of(getCredits(), now));
  }
}
