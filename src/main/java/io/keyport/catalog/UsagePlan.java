package io.keyport.catalog;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A named tier (bronze, silver, gold) with its rate limit, quota and cap on keys per user. */
@Entity
@Table(name = "usage_plan")
public class UsagePlan {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  /** Changes only while no key was ever made on the plan (see {@code UsagePlans}). */
  @Column(nullable = false)
  private String name;

  @Column(name = "display_name", nullable = false)
  private String displayName;

  private String description;

  @Column(name = "requests_per_unit")
  private Integer requestsPerUnit;

  @Enumerated(EnumType.STRING)
  @Column(name = "rate_unit")
  private RateUnit rateUnit;

  @Column(name = "monthly_quota")
  private Long monthlyQuota;

  @Column(name = "max_keys_per_user")
  private Integer maxKeysPerUser;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);

  @Version
  @Column(name = "lock_version")
  private long lockVersion;

  protected UsagePlan() {}

  public UsagePlan(String name, String displayName, String description) {
    this.name = name;
    this.displayName = displayName;
    this.description = description;
  }

  public UsagePlan limitedTo(int requestsPerUnit, RateUnit unit) {
    this.requestsPerUnit = requestsPerUnit;
    this.rateUnit = unit;
    return this;
  }

  /** Replaces everything an administrator edits; {@code updatedAt} moves, so the version bumps. */
  void revise(
      String name,
      String displayName,
      String description,
      Integer requestsPerUnit,
      RateUnit rateUnit,
      Long monthlyQuota,
      Integer maxKeysPerUser,
      Instant now) {
    this.name = name;
    this.displayName = displayName;
    this.description = description;
    this.requestsPerUnit = requestsPerUnit;
    this.rateUnit = rateUnit;
    this.monthlyQuota = monthlyQuota;
    this.maxKeysPerUser = maxKeysPerUser;
    this.updatedAt = now;
  }

  public Instant getUpdatedAt() {
    return updatedAt;
  }

  public long getLockVersion() {
    return lockVersion;
  }

  public Long getId() {
    return id;
  }

  public String getName() {
    return name;
  }

  public String getDisplayName() {
    return displayName;
  }

  public String getDescription() {
    return description;
  }

  public Integer getRequestsPerUnit() {
    return requestsPerUnit;
  }

  public RateUnit getRateUnit() {
    return rateUnit;
  }

  public Long getMonthlyQuota() {
    return monthlyQuota;
  }

  public Integer getMaxKeysPerUser() {
    return maxKeysPerUser;
  }

  public PlanView view() {
    return new PlanView(
        name, displayName, description, requestsPerUnit, rateUnit, monthlyQuota, maxKeysPerUser);
  }
}
