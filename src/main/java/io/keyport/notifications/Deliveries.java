package io.keyport.notifications;

import io.keyport.audit.AuditLog;
import io.keyport.platform.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The delivery log: what was sent where, how it went, what is still to try; and "send again". */
@ApplicationScoped
public class Deliveries {

  public static final int MAX_SHOWN = 500;
  static final Set<String> STATUSES = Set.of("pending", "delivered", "failed");
  static final Set<String> CHANNELS = Set.of("webhook", "email");

  @PersistenceContext private EntityManager em;
  @Inject private AuditLog audit;

  /**
   * The newest deliveries first, at most {@code limit} (1 to {@value #MAX_SHOWN}), of one status,
   * channel and endpoint where given.
   */
  @Transactional(Transactional.TxType.SUPPORTS)
  public List<DeliveryView> recent(String status, String channel, Long endpointId, int limit) {
    Map<String, String> errors = new LinkedHashMap<>();
    if (status != null && !STATUSES.contains(status)) {
      errors.put("status", "A status is pending, delivered or failed, not '" + status + "'.");
    }
    if (channel != null && !CHANNELS.contains(channel)) {
      errors.put("channel", "A channel is webhook or email, not '" + channel + "'.");
    }
    if (limit < 1 || limit > MAX_SHOWN) {
      errors.put("limit", "Ask for 1 to " + MAX_SHOWN + " deliveries.");
    }
    RequestRefused.throwIfAny(errors);
    List<?> rows =
        em.createNativeQuery(
                "select d.id, d.event_id, e.type, e.occurred_at, d.channel, d.endpoint_id,"
                    + " coalesce(w.url, d.recipient), d.status, d.attempts, d.last_status_code,"
                    + " d.last_error, d.last_attempt_at, d.next_attempt_at, d.delivered_at"
                    + " from notification_delivery d join notification_event e on e.id = d.event_id"
                    + " left join webhook_endpoint w on w.id = d.endpoint_id"
                    + " where (cast(?1 as varchar) is null or d.status = ?1)"
                    + " and (cast(?2 as varchar) is null or d.channel = ?2)"
                    + " and (cast(?3 as bigint) is null or d.endpoint_id = ?3)"
                    + " order by d.id desc limit ?4")
            .setParameter(1, status)
            .setParameter(2, channel)
            .setParameter(3, endpointId)
            .setParameter(4, limit)
            .getResultList();
    List<DeliveryView> views = new ArrayList<>();
    for (Object o : rows) {
      Object[] row = (Object[]) o;
      String state = (String) row[7];
      views.add(
          new DeliveryView(
              ((Number) row[0]).longValue(),
              (UUID) row[1],
              (String) row[2],
              instant(row[3]),
              (String) row[4],
              row[5] == null ? null : ((Number) row[5]).longValue(),
              (String) row[6],
              state,
              ((Number) row[8]).intValue(),
              row[9] == null ? null : ((Number) row[9]).intValue(),
              (String) row[10],
              instant(row[11]),
              "pending".equals(state) ? instant(row[12]) : null,
              instant(row[13])));
    }
    return views;
  }

  /**
   * Sends a delivery again, whatever its status: it is due at once and retried for another 24 hours
   * if it fails. The receiver sees the same {@code webhook-id}, so it can tell a repeat.
   */
  @Transactional
  public void sendAgain(String actor, long id) {
    int updated =
        em.createNativeQuery(
                "update notification_delivery set status = 'pending', next_attempt_at = now(),"
                    + " give_up_at = now() + interval '24 hours', delivered_at = null"
                    + " where id = ?1")
            .setParameter(1, id)
            .executeUpdate();
    if (updated == 0) {
      throw RequestRefused.notFound("There is no delivery " + id + ". Reload the delivery log.");
    }
    audit.record(actor, "notification.resent", "delivery", Long.toString(id), Map.of());
  }

  private static Instant instant(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Instant i) {
      return i;
    }
    if (value instanceof Timestamp t) {
      return t.toInstant();
    }
    if (value instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    throw new IllegalStateException("Unexpected time value " + value.getClass());
  }
}
