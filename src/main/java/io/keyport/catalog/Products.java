package io.keyport.catalog;

import io.keyport.audit.AuditLog;
import io.keyport.audit.AuditLog.FieldChange;
import io.keyport.platform.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * API products for administrators: list (retired ones too), create, edit and retire. Each change is
 * checked in full before anything is written, commits with its audit event in one transaction, and
 * names the version it edits, so two administrators editing one product get a conflict rather than
 * a silent overwrite. Catalogue writes take one PostgreSQL advisory lock, so two products can never
 * be given the same route at the same moment.
 */
@ApplicationScoped
public class Products {

  /** The advisory lock all catalogue writes share ("kpcat"). */
  static final long CATALOG_LOCK = 0x6b70636174L;

  @PersistenceContext private EntityManager em;
  @Inject private AuditLog audit;
  @Inject private Event<ProductRetired> retirements;
  @Inject private KeyTally keyTally;

  /** Every product, the retired ones last, each by display name. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public List<ManagedProduct> all() {
    Map<Long, long[]> counts = keyCounts();
    return em
        .createQuery(
            "select p from ApiProduct p order by case when p.retiredAt is null then 0 else 1 end,"
                + " lower(p.displayName)",
            ApiProduct.class)
        .getResultList()
        .stream()
        .map(p -> managed(p, counts.getOrDefault(p.getId(), new long[2])))
        .toList();
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public ManagedProduct get(String slug) {
    ApiProduct product = find(slug);
    return managed(product, keyCounts(product));
  }

  @Transactional
  public ManagedProduct create(String actor, ProductDraft draft) {
    Map<String, String> errors = new LinkedHashMap<>();
    ProductDraft clean = CatalogRules.product(draft, errors);
    checkDocument(clean.openapi(), errors);
    lockCatalog(em);
    List<UsagePlan> plans = plans(clean.plans(), errors);
    RequestRefused.throwIfAny(errors);
    refuseTakenSlug(clean.slug(), null);
    List<RouteView> routes = routes(clean);
    refuseRouteConflicts(routes, null);

    ApiProduct product =
        new ApiProduct(
            clean.slug(),
            clean.displayName(),
            clean.description(),
            clean.version(),
            clean.openapi());
    routes.forEach(r -> product.route(r.host(), r.pathPrefix(), r.methods()));
    plans.forEach(product::offer);
    product.describe(clean.metadata());
    em.persist(product);
    em.flush();
    audit.recordChanges(
        actor,
        "api_product.created",
        "api_product",
        product.getSlug(),
        changes(null, null, product.view(), product.getOpenapi()));
    return managed(product, new long[2]);
  }

  /**
   * Replaces what an administrator edits, if {@code lockVersion} is still the product's version.
   */
  @Transactional
  public ManagedProduct update(String actor, String slug, Long lockVersion, ProductDraft draft) {
    Map<String, String> errors = new LinkedHashMap<>();
    if (lockVersion == null) {
      errors.put(
          RequestRefused.LOCK_FIELD,
          "Send lockVersion, the value your last read of this product returned, so Keyport can"
              + " tell whether someone else changed it since.");
    }
    ProductDraft clean = CatalogRules.product(draft, errors);
    checkDocument(clean.openapi(), errors);
    lockCatalog(em);
    List<UsagePlan> plans = plans(clean.plans(), errors);
    RequestRefused.throwIfAny(errors);
    ApiProduct product = find(slug);
    if (product.isRetired()) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "retired",
          null,
          "The API product '"
              + slug
              + "' is retired and can no longer change. Create a new product instead.");
    }
    refuseStale(product.getLockVersion(), lockVersion, "API product '" + slug + "'");
    long[] keys = keyCounts(product);
    if (!clean.slug().equals(product.getSlug())) {
      if (keys[1] > 0) {
        throw new RequestRefused(
            RequestRefused.Reason.CONFLICT,
            "slug_locked",
            "slug",
            "The slug '"
                + slug
                + "' can no longer change: "
                + keys[1]
                + " API key(s) were made for this product, and gateways, audit records and the"
                + " Redis mirror know it by that slug. Keep the slug, or create a new product.");
      }
      refuseTakenSlug(clean.slug(), product.getId());
    }
    List<RouteView> routes = routes(clean);
    refuseRouteConflicts(routes, product.getId());

    ProductView before = product.view();
    String beforeDocument = product.getOpenapi();
    ProductView after =
        new ProductView(
            clean.slug(),
            clean.displayName(),
            clean.description(),
            clean.version(),
            clean.openapi() != null,
            routes,
            plans.stream().map(UsagePlan::view).toList(),
            clean.metadata());
    Map<String, FieldChange> changes = changes(before, beforeDocument, after, clean.openapi());
    if (changes.isEmpty()) {
      return managed(product, keys);
    }
    product.revise(
        clean.slug(),
        clean.displayName(),
        clean.description(),
        clean.version(),
        clean.openapi(),
        routes,
        plans,
        clean.metadata(),
        Instant.now().truncatedTo(ChronoUnit.MICROS));
    try {
      em.flush();
    } catch (OptimisticLockException e) {
      throw stale("API product '" + slug + "'");
    }
    audit.recordChanges(actor, "api_product.updated", "api_product", clean.slug(), changes);
    return managed(product, keys);
  }

  /**
   * Takes a product off the catalogue for good and revokes its live keys, all in one transaction:
   * the keys service, observing {@link ProductRetired}, writes each key's audit event and Redis
   * mirror change beside this one.
   */
  @Transactional
  public Retirement retire(String actor, String slug) {
    lockCatalog(em);
    ApiProduct product = find(slug);
    if (product.isRetired()) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "retired",
          null,
          "The API product '" + slug + "' was retired already, on " + product.getRetiredAt() + ".");
    }
    long liveKeys = keyCounts(product)[0];
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    product.retire(now);
    em.flush();
    Map<String, FieldChange> changes = new LinkedHashMap<>();
    changes.put("retiredAt", new FieldChange(null, now));
    changes.put("liveKeys", new FieldChange(liveKeys, 0L));
    audit.recordChanges(actor, "api_product.retired", "api_product", slug, changes);
    retirements.fire(new ProductRetired(product.getId(), slug, actor));
    return new Retirement(slug, now, liveKeys);
  }

  private ApiProduct find(String slug) {
    return em.createQuery("select p from ApiProduct p where p.slug = :slug", ApiProduct.class)
        .setParameter("slug", slug)
        .getResultStream()
        .findFirst()
        .orElseThrow(
            () ->
                RequestRefused.notFound(
                    "There is no API product '"
                        + slug
                        + "'. See GET /api/v1/admin/api-products for the list."));
  }

  private static List<RouteView> routes(ProductDraft clean) {
    return clean.routes().stream()
        .map(
            r ->
                new RouteView(
                    r.host(),
                    r.pathPrefix(),
                    r.methods().isEmpty() ? null : String.join(",", r.methods())))
        .toList();
  }

  private void checkDocument(String document, Map<String, String> errors) {
    if (document == null) {
      return;
    }
    try {
      OpenApiDocuments.check(document);
    } catch (OpenApiDocuments.Rejected e) {
      errors.put("openapi", e.getMessage());
    }
  }

  private List<UsagePlan> plans(List<String> names, Map<String, String> errors) {
    if (names.isEmpty()) {
      return List.of();
    }
    Map<String, UsagePlan> known =
        em.createQuery("select p from UsagePlan p order by p.id", UsagePlan.class)
            .getResultStream()
            .collect(Collectors.toMap(UsagePlan::getName, p -> p, (a, b) -> a, LinkedHashMap::new));
    List<UsagePlan> plans = new ArrayList<>();
    for (String name : names) {
      UsagePlan plan = known.get(name);
      if (plan == null) {
        errors.putIfAbsent(
            "usagePlans",
            "There is no usage plan '"
                + name
                + "'. Pick from "
                + String.join(", ", known.keySet())
                + ", or create the plan first.");
      } else {
        plans.add(plan);
      }
    }
    // In the order the plans were made, as the product keeps and shows them.
    plans.sort(java.util.Comparator.comparing(UsagePlan::getId));
    return plans;
  }

  private void refuseTakenSlug(String slug, Long self) {
    em.createQuery("select p from ApiProduct p where p.slug = :slug", ApiProduct.class)
        .setParameter("slug", slug)
        .getResultStream()
        .filter(p -> !p.getId().equals(self))
        .findFirst()
        .ifPresent(
            other -> {
              throw new RequestRefused(
                  RequestRefused.Reason.CONFLICT,
                  "slug_taken",
                  "slug",
                  "The slug '"
                      + slug
                      + "' belongs to the API product '"
                      + other.view().displayName()
                      + "'"
                      + (other.isRetired() ? " (retired; slugs are never reused)" : "")
                      + ". Pick another slug.");
            });
  }

  /** Same host (or both any host) and same path prefix as a live product's route: refused. */
  private void refuseRouteConflicts(List<RouteView> routes, Long self) {
    List<ApiProduct> others =
        em.createQuery("select p from ApiProduct p where p.retiredAt is null", ApiProduct.class)
            .getResultList();
    for (int i = 0; i < routes.size(); i++) {
      RouteView route = routes.get(i);
      for (ApiProduct other : others) {
        if (other.getId().equals(self)) {
          continue;
        }
        for (RouteView taken : other.view().routes()) {
          if (taken.pathPrefix().equals(route.pathPrefix())
              && Objects.equals(lower(taken.host()), route.host())) {
            throw new RequestRefused(
                RequestRefused.Reason.CONFLICT,
                "route_conflict",
                "routes[" + i + "].pathPrefix",
                "The route "
                    + (route.host() == null ? "for any host" : "for host " + route.host())
                    + " with path prefix "
                    + route.pathPrefix()
                    + " belongs to the API product '"
                    + other.view().displayName()
                    + "' ("
                    + other.getSlug()
                    + "). Pick another path prefix or host, or take the route off that product"
                    + " first.");
          }
        }
      }
    }
  }

  private static String lower(String host) {
    return host == null ? null : host.toLowerCase(java.util.Locale.ROOT);
  }

  static void refuseStale(long current, long given, String what) {
    if (current != given) {
      throw stale(what);
    }
  }

  static RequestRefused stale(String what) {
    return RequestRefused.versionConflict("the " + what);
  }

  /** Serialises catalogue writes until the transaction ends. */
  static void lockCatalog(EntityManager em) {
    em.createNativeQuery("select count(*) from (select pg_advisory_xact_lock(?1)) as locked")
        .setParameter(1, CATALOG_LOCK)
        .getSingleResult();
  }

  private Map<Long, long[]> keyCounts() {
    return keyTally.perProduct();
  }

  private long[] keyCounts(ApiProduct product) {
    return keyTally.ofProduct(product.getId());
  }

  private static ManagedProduct managed(ApiProduct product, long[] keys) {
    return new ManagedProduct(
        product.view(),
        product.getOpenapi(),
        product.getUpdatedAt(),
        product.getRetiredAt(),
        product.getLockVersion(),
        keys[0],
        keys[1]);
  }

  /** The audit's before and after of each field; unchanged fields are dropped by the audit log. */
  private static Map<String, FieldChange> changes(
      ProductView before, String beforeDocument, ProductView after, String afterDocument) {
    Map<String, FieldChange> changes = new LinkedHashMap<>();
    changes.put("slug", new FieldChange(before == null ? null : before.slug(), after.slug()));
    changes.put(
        "displayName",
        new FieldChange(before == null ? null : before.displayName(), after.displayName()));
    changes.put(
        "description",
        new FieldChange(before == null ? null : before.description(), after.description()));
    changes.put(
        "version", new FieldChange(before == null ? null : before.version(), after.version()));
    changes.put(
        "routes", new FieldChange(before == null ? null : routesText(before), routesText(after)));
    changes.put(
        "usagePlans", new FieldChange(before == null ? null : plansText(before), plansText(after)));
    changes.put(
        "metadata",
        new FieldChange(before == null ? null : metadataText(before), metadataText(after)));
    changes.put(
        "openapi", new FieldChange(documentText(beforeDocument), documentText(afterDocument)));
    changes.values().removeIf(c -> Objects.equals(c.before(), c.after()));
    return changes;
  }

  private static String routesText(ProductView product) {
    return product.routes().stream()
        .map(
            r ->
                (r.host() == null ? "*" : r.host())
                    + r.pathPrefix()
                    + (r.methods() == null ? "" : " " + r.methods()))
        .collect(Collectors.joining("; "));
  }

  private static String metadataText(ProductView product) {
    return product.metadata().isEmpty() ? null : product.metadata().toString();
  }

  private static String plansText(ProductView product) {
    return product.plans().stream().map(PlanView::name).collect(Collectors.joining(", "));
  }

  /** The audit keeps a fingerprint of the document, not the document itself. */
  private static String documentText(String document) {
    if (document == null) {
      return null;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(document.getBytes(StandardCharsets.UTF_8));
      return "sha256:"
          + HexFormat.of().formatHex(digest, 0, 8)
          + " ("
          + document.length()
          + " characters)";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java has SHA-256", e);
    }
  }
}
