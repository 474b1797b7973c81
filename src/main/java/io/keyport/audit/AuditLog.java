package io.keyport.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes audit events in the caller's transaction, so an action and its audit row commit or roll
 * back together. Details never hold a key value: callers pass ids, names and hints only.
 */
@ApplicationScoped
public class AuditLog {

  @PersistenceContext private EntityManager em;
  @Inject private HttpServletRequest request;

  @Transactional(Transactional.TxType.MANDATORY)
  public void record(
      String actor, String action, String targetType, String targetId, Map<String, ?> details) {
    JsonObjectBuilder json = Json.createObjectBuilder();
    details.forEach((name, value) -> json.add(name, value == null ? "" : value.toString()));
    em.persist(
        new AuditEvent(
            Instant.now(),
            actor,
            action,
            targetType,
            targetId,
            json.build().toString(),
            clientAddress()));
  }

  /** One changed field of an admin edit: its value before and after, either may be null. */
  public record FieldChange(Object before, Object after) {}

  /**
   * An admin change, with details {@code {"field":{"before":"…","after":"…"}}} for each field that
   * changed; fields whose before and after are equal are left out.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void recordChanges(
      String actor,
      String action,
      String targetType,
      String targetId,
      Map<String, FieldChange> changes) {
    JsonObjectBuilder json = Json.createObjectBuilder();
    changes.forEach(
        (field, change) -> {
          if (!Objects.equals(change.before(), change.after())) {
            json.add(
                field,
                Json.createObjectBuilder()
                    .add("before", text(change.before()))
                    .add("after", text(change.after())));
          }
        });
    em.persist(
        new AuditEvent(
            Instant.now(),
            actor,
            action,
            targetType,
            targetId,
            json.build().toString(),
            clientAddress()));
  }

  /** The newest events that match, newest first, at most {@code limit}. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public List<AuditEntry> search(AuditFilter filter, int limit) {
    StringBuilder jpql = new StringBuilder("select e from AuditEvent e where 1 = 1");
    Map<String, Object> parameters = new HashMap<>();
    if (present(filter.actor())) {
      jpql.append(" and lower(e.actor) like :actor escape '\\'");
      parameters.put("actor", contains(filter.actor()));
    }
    if (present(filter.action())) {
      jpql.append(" and e.action = :action");
      parameters.put("action", filter.action().strip());
    }
    if (present(filter.targetType())) {
      jpql.append(" and e.targetType = :targetType");
      parameters.put("targetType", filter.targetType().strip());
    }
    if (present(filter.targetId())) {
      jpql.append(" and lower(e.targetId) like :targetId escape '\\'");
      parameters.put("targetId", contains(filter.targetId()));
    }
    if (filter.from() != null) {
      jpql.append(" and e.occurredAt >= :from");
      parameters.put("from", filter.from());
    }
    if (filter.to() != null) {
      jpql.append(" and e.occurredAt < :to");
      parameters.put("to", filter.to());
    }
    jpql.append(" order by e.occurredAt desc, e.id desc");
    TypedQuery<AuditEvent> query =
        em.createQuery(jpql.toString(), AuditEvent.class).setMaxResults(limit);
    parameters.forEach(query::setParameter);
    return query.getResultStream().map(AuditEvent::entry).toList();
  }

  /** Every action and target type recorded so far, for filters to offer. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public List<String> actions() {
    return em.createQuery(
            "select distinct e.action from AuditEvent e order by e.action", String.class)
        .getResultList();
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public List<String> targetTypes() {
    return em.createQuery(
            "select distinct e.targetType from AuditEvent e order by e.targetType", String.class)
        .getResultList();
  }

  private static boolean present(String text) {
    return text != null && !text.isBlank();
  }

  private static String contains(String text) {
    String escaped =
        text.strip()
            .toLowerCase(Locale.ROOT)
            .replace("\\", "\\\\")
            .replace("%", "\\%")
            .replace("_", "\\_");
    return "%" + escaped + "%";
  }

  private static String text(Object value) {
    return value == null ? "" : value.toString();
  }

  private String clientAddress() {
    try {
      return request.getRemoteAddr();
    } catch (ContextNotActiveException | IllegalStateException noRequest) {
      return null;
    }
  }
}
