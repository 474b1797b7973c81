package io.keyport.keys;

import io.keyport.platform.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Every user's keys, for administrators: search, one key, and the counts the dashboard shows. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class KeyDirectory {

  /** One page of a search, and how many keys match in all. */
  public record Page(List<AdminKeyView> keys, long total) {}

  @PersistenceContext private EntityManager em;

  /** The keys matching {@code filter}, newest first, from {@code offset}, at most {@code limit}. */
  public Page search(KeyFilter filter, int offset, int limit) {
    Instant now = Instant.now();
    Map<String, Object> parameters = new HashMap<>();
    String where = where(filter, now, parameters);
    TypedQuery<Long> count = em.createQuery("select count(k) from ApiKey k" + where, Long.class);
    TypedQuery<ApiKey> page =
        em.createQuery(
                "select k from ApiKey k" + where + " order by k.createdAt desc, k.id", ApiKey.class)
            .setFirstResult(offset)
            .setMaxResults(limit);
    parameters.forEach(
        (name, value) -> {
          count.setParameter(name, value);
          page.setParameter(name, value);
        });
    List<AdminKeyView> keys = page.getResultStream().map(k -> k.adminView(now)).toList();
    return new Page(keys, count.getSingleResult());
  }

  public AdminKeyView key(UUID id) {
    ApiKey key = em.find(ApiKey.class, id);
    if (key == null) {
      throw RequestRefused.notFound("There is no API key with id " + id + ".");
    }
    return key.adminView(Instant.now());
  }

  /** Keys that pass the check by themselves: not revoked, not expired. */
  public long liveCount() {
    return em.createQuery(
            "select count(k) from ApiKey k where k.revokedAt is null"
                + " and (k.expiresAt is null or k.expiresAt > :now)",
            Long.class)
        .setParameter("now", Instant.now())
        .getSingleResult();
  }

  public long createdSince(Instant since) {
    return em.createQuery("select count(k) from ApiKey k where k.createdAt >= :since", Long.class)
        .setParameter("since", since)
        .getSingleResult();
  }

  private static String where(KeyFilter filter, Instant now, Map<String, Object> parameters) {
    StringBuilder where = new StringBuilder(" where 1 = 1");
    if (present(filter.user())) {
      where.append(
          " and (lower(k.owner.username) like :user escape '\\'"
              + " or lower(k.owner.displayName) like :user escape '\\')");
      parameters.put(
          "user", "%" + likeEscape(filter.user().strip().toLowerCase(Locale.ROOT)) + "%");
    }
    if (present(filter.product())) {
      where.append(" and k.product.slug = :product");
      parameters.put("product", filter.product().strip());
    }
    if (present(filter.plan())) {
      where.append(" and k.plan.name = :plan");
      parameters.put("plan", filter.plan().strip());
    }
    if (present(filter.hint())) {
      String hint = filter.hint().strip().replace("…", "").replace("...", "");
      where.append(" and k.hint like :hint escape '\\'");
      parameters.put("hint", likeEscape(hint) + "%");
    }
    if (filter.status() != null) {
      switch (filter.status()) {
        case ACTIVE ->
            where.append(
                " and k.revokedAt is null and (k.expiresAt is null or k.expiresAt > :now)");
        case EXPIRED -> where.append(" and k.revokedAt is null and k.expiresAt <= :now");
        case REVOKED -> where.append(" and k.revokedAt is not null");
      }
      if (filter.status() != KeyStatus.REVOKED) {
        parameters.put("now", now);
      }
    }
    return where.toString();
  }

  private static boolean present(String text) {
    return text != null && !text.isBlank();
  }

  private static String likeEscape(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
