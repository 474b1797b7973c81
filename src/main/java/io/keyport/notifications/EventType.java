package io.keyport.notifications;

import java.util.Arrays;
import java.util.Optional;

/**
 * What Keyport tells webhooks and key owners about (docs/notifications.md), by its wire name, and
 * whether it mails the event's subject: never, unless they turned optional mail off, or always.
 */
public enum EventType {
  KEY_CREATED("key.created", Mail.OPTIONAL),
  KEY_DELETED("key.deleted", Mail.NONE),
  KEY_ROLLED("key.rolled", Mail.NONE),
  KEY_EXPIRING("key.expiring", Mail.OPTIONAL),
  KEY_EXPIRED("key.expired", Mail.OPTIONAL),
  KEY_REVOKED_BY_ADMIN("key.revoked_by_admin", Mail.ALWAYS),
  KEY_LEAKED("key.leaked", Mail.ALWAYS),
  QUOTA_THRESHOLD("quota.threshold", Mail.OPTIONAL),
  USER_DISABLED("user.disabled", Mail.NONE);

  /** Whether an event mails its subject. */
  public enum Mail {
    NONE,
    OPTIONAL,
    ALWAYS
  }

  private final String wireName;
  private final Mail mail;

  EventType(String wireName, Mail mail) {
    this.wireName = wireName;
    this.mail = mail;
  }

  /** The name webhooks see in {@code type} and subscribe to, such as {@code key.created}. */
  public String wireName() {
    return wireName;
  }

  public Mail mail() {
    return mail;
  }

  public static Optional<EventType> of(String wireName) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(wireName)).findFirst();
  }
}
