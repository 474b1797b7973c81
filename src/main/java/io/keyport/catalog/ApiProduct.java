package io.keyport.catalog;

import jakarta.persistence.CascadeType;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hibernate.annotations.Fetch;
import org.hibernate.annotations.FetchMode;

/** A bundle of routes sold as one thing, with the usage plans it offers. */
@Entity
@Table(name = "api_product")
public class ApiProduct {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  /** Changes only while no key was ever made for the product (see {@code Products}). */
  @Column(nullable = false)
  private String slug;

  @Column(name = "display_name", nullable = false)
  private String displayName;

  private String description;

  private String version;

  private String openapi;

  @Column(name = "retired_at")
  private Instant retiredAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);

  @OneToMany(
      mappedBy = "product",
      cascade = CascadeType.ALL,
      orphanRemoval = true,
      fetch = FetchType.EAGER)
  @OrderBy("id")
  private List<Route> routes = new ArrayList<>();

  @ManyToMany(fetch = FetchType.EAGER)
  @JoinTable(
      name = "product_plan",
      joinColumns = @JoinColumn(name = "product_id"),
      inverseJoinColumns = @JoinColumn(name = "plan_id"))
  @OrderBy("id")
  private List<UsagePlan> plans = new ArrayList<>();

  // Fetched by its own select: joined beside the routes and plans, rows would multiply.
  @ElementCollection(fetch = FetchType.EAGER)
  @Fetch(FetchMode.SELECT)
  @CollectionTable(name = "api_product_metadata", joinColumns = @JoinColumn(name = "product_id"))
  @MapKeyColumn(name = "meta_key")
  @Column(name = "meta_value")
  private Map<String, String> metadata = new TreeMap<>();

  @Version
  @Column(name = "lock_version")
  private long lockVersion;

  protected ApiProduct() {}

  public ApiProduct(
      String slug, String displayName, String description, String version, String openapi) {
    this.slug = slug;
    this.displayName = displayName;
    this.description = description;
    this.version = version;
    this.openapi = openapi;
  }

  public ApiProduct route(String host, String pathPrefix, String methods) {
    routes.add(new Route(this, host, pathPrefix, methods));
    return this;
  }

  public ApiProduct offer(UsagePlan plan) {
    plans.add(plan);
    return this;
  }

  /**
   * Replaces everything an administrator edits. Routes and offered plans are rewritten only when
   * they differ; {@code updatedAt} always moves, so the row is written and its version bumps.
   */
  void revise(
      String slug,
      String displayName,
      String description,
      String version,
      String openapi,
      List<RouteView> newRoutes,
      List<UsagePlan> newPlans,
      Map<String, String> newMetadata,
      Instant now) {
    this.slug = slug;
    this.displayName = displayName;
    this.description = description;
    this.version = version;
    this.openapi = openapi;
    if (!routes.stream().map(Route::view).toList().equals(newRoutes)) {
      routes.clear();
      newRoutes.forEach(r -> route(r.host(), r.pathPrefix(), r.methods()));
    }
    if (!planIds(plans).equals(planIds(newPlans))) {
      plans.clear();
      plans.addAll(newPlans);
    }
    if (!metadata.equals(newMetadata)) {
      metadata.clear();
      metadata.putAll(newMetadata);
    }
    this.updatedAt = now;
  }

  /** Sets the administrator's key/value pairs, at creation. */
  ApiProduct describe(Map<String, String> entries) {
    metadata.putAll(entries);
    return this;
  }

  void retire(Instant now) {
    this.retiredAt = now;
    this.updatedAt = now;
  }

  private static List<Long> planIds(List<UsagePlan> plans) {
    return plans.stream().map(UsagePlan::getId).toList();
  }

  public Long getId() {
    return id;
  }

  public Instant getRetiredAt() {
    return retiredAt;
  }

  public Instant getUpdatedAt() {
    return updatedAt;
  }

  public long getLockVersion() {
    return lockVersion;
  }

  public String getSlug() {
    return slug;
  }

  public String getOpenapi() {
    return openapi;
  }

  public boolean isRetired() {
    return retiredAt != null;
  }

  public List<UsagePlan> getPlans() {
    return plans;
  }

  public ProductView view() {
    return new ProductView(
        slug,
        displayName,
        description,
        version,
        openapi != null,
        routes.stream().map(Route::view).toList(),
        plans.stream().map(UsagePlan::view).toList(),
        Collections.unmodifiableMap(new TreeMap<>(metadata)));
  }
}
