package io.keyport.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.transaction.Transactional;
import java.time.Instant;
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
