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

/** A named tier (bronze, silver, gold) with its rate limit, quota and cap on keys per user. */
@Entity
@Table(name = "usage_plan")
public class UsagePlan {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false, updatable = false)
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
