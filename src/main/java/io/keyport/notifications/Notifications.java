package io.keyport.notifications;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The notification outbox: records an event in the transaction of the change it tells about, with a
 * delivery row for each enabled webhook endpoint that subscribed to its type and, when mail is
 * configured and the event mails, one for its subject's e-mail. The {@link Dispatcher} sends them
 * after the commit; a change rolled back tells nobody.
 */
@ApplicationScoped
public class Notifications {

  static final Jsonb JSON = JsonbBuilder.create();

  private static final String EVENT =
      "insert into notification_event (id, type, occurred_at, subject, body, once_key)"
          + " values (?, ?, ?, ?, ?, ?) on conflict (once_key) do nothing";
  private static final String TO_WEBHOOKS =
      "insert into notification_delivery (event_id, channel, endpoint_id, give_up_at)"
          + " select ?, 'webhook', w.id, ? from webhook_endpoint w"
          + " join webhook_subscription s on s.endpoint_id = w.id"
          + " where w.enabled and s.event_type = ?";
  private static final String TO_MAIL =
      "insert into notification_delivery (event_id, channel, recipient, give_up_at)"
          + " select ?, 'email', u.username, ? from app_user u"
          + " where u.username = ? and (? or u.optional_mail)";

  @PersistenceContext private EntityManager em;
  @Inject private MailSettings mail;

  /**
   * Records an event in the caller's transaction.
   *
   * @param subject the username the event is about (a key's owner, a disabled user), or null
   * @param data the event's {@code data}: ids, hint, product, plan, owner, times; never a key value
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void record(EventType type, String subject, Map<String, ?> data) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    UUID id = UUID.randomUUID();
    Timestamp giveUpAt = Timestamp.from(now.plus(RetrySchedule.WINDOW));
    em.createNativeQuery(EVENT)
        .setParameter(1, id)
        .setParameter(2, type.wireName())
        .setParameter(3, Timestamp.from(now))
        .setParameter(4, subject)
        .setParameter(5, body(type, now, data))
        .setParameter(6, null)
        .executeUpdate();
    em.createNativeQuery(TO_WEBHOOKS)
        .setParameter(1, id)
        .setParameter(2, giveUpAt)
        .setParameter(3, type.wireName())
        .executeUpdate();
    if (mails(type, subject)) {
      em.createNativeQuery(TO_MAIL)
          .setParameter(1, id)
          .setParameter(2, giveUpAt)
          .setParameter(3, subject)
          .setParameter(4, type.mail() == EventType.Mail.ALWAYS)
          .executeUpdate();
    }
  }

  /**
   * Records an event of a sweep on the sweep's connection, once per {@code onceKey}: false when it
   * was recorded before.
   */
  boolean recordOnce(
      Connection connection, EventType type, String subject, Map<String, ?> data, String onceKey)
      throws SQLException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    UUID id = UUID.randomUUID();
    Timestamp giveUpAt = Timestamp.from(now.plus(RetrySchedule.WINDOW));
    try (PreparedStatement event = connection.prepareStatement(EVENT)) {
      event.setObject(1, id);
      event.setString(2, type.wireName());
      event.setTimestamp(3, Timestamp.from(now));
      event.setString(4, subject);
      event.setString(5, body(type, now, data));
      event.setString(6, onceKey);
      if (event.executeUpdate() == 0) {
        return false;
      }
    }
    try (PreparedStatement webhooks = connection.prepareStatement(TO_WEBHOOKS)) {
      webhooks.setObject(1, id);
      webhooks.setTimestamp(2, giveUpAt);
      webhooks.setString(3, type.wireName());
      webhooks.executeUpdate();
    }
    if (mails(type, subject)) {
      try (PreparedStatement mailed = connection.prepareStatement(TO_MAIL)) {
        mailed.setObject(1, id);
        mailed.setTimestamp(2, giveUpAt);
        mailed.setString(3, subject);
        mailed.setBoolean(4, type.mail() == EventType.Mail.ALWAYS);
        mailed.executeUpdate();
      }
    }
    return true;
  }

  private boolean mails(EventType type, String subject) {
    return subject != null && type.mail() != EventType.Mail.NONE && mail.isConfigured();
  }

  /** The webhook body, Standard Webhooks' shape: {@code {"type","timestamp","data"}}. */
  static String body(EventType type, Instant at, Map<String, ?> data) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", type.wireName());
    body.put("timestamp", at.toString());
    Map<String, Object> fields = new LinkedHashMap<>();
    data.forEach(
        (name, value) -> fields.put(name, value instanceof Instant i ? i.toString() : value));
    body.put("data", fields);
    return JSON.toJson(body);
  }

  /** Reads a stored body back (for the mail texts). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> data(String body) {
    Map<String, Object> parsed = JSON.fromJson(body, LinkedHashMap.class);
    Object data = parsed.get("data");
    return data instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }
}
