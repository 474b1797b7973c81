package io.keyport.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Reads the catalogue of API products and usage plans. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class Catalog {

  @PersistenceContext private EntityManager em;

  /** Every product that is on offer, by display name. */
  public List<ProductView> products() {
    return em
        .createQuery(
            "select p from ApiProduct p where p.retiredAt is null order by p.displayName",
            ApiProduct.class)
        .getResultList()
        .stream()
        .map(ApiProduct::view)
        .toList();
  }

  public Optional<ProductView> product(String slug) {
    return liveProduct(slug).map(ApiProduct::view);
  }

  /** The product's OpenAPI document, where it has one. */
  public Optional<String> schema(String slug) {
    return liveProduct(slug).map(ApiProduct::getOpenapi);
  }

  public List<PlanView> plans() {
    return em
        .createQuery("select p from UsagePlan p order by p.id", UsagePlan.class)
        .getResultList()
        .stream()
        .map(UsagePlan::view)
        .toList();
  }

  /**
   * The plans that at least one live product offers, by id: what a plan-wide key (SPEC §10) can be
   * made for.
   */
  public List<UsagePlan> offeredPlans() {
    return em
        .createQuery(
            "select distinct pl from ApiProduct p join p.plans pl where p.retiredAt is null",
            UsagePlan.class)
        .getResultList()
        .stream()
        .sorted(Comparator.comparing(UsagePlan::getId))
        .toList();
  }

  /** The live product entity, for services that attach things to it. */
  public Optional<ApiProduct> liveProduct(String slug) {
    return em.createQuery(
            "select p from ApiProduct p where p.slug = :slug and p.retiredAt is null",
            ApiProduct.class)
        .setParameter("slug", slug)
        .getResultStream()
        .findFirst();
  }
}
