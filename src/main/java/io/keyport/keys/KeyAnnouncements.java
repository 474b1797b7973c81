package io.keyport.keys;

import io.keyport.audit.AuditLog;
import io.keyport.mirror.RedisMirror;
import io.keyport.notifications.EventType;
import io.keyport.notifications.Notifications;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one place that tells the rest of Keyport that a key changed, inside the changing transaction:
 * the audit event, the Redis mirror's outbox row, the notification outbox's event (webhooks and the
 * owner's e-mail; never the key value), and the event that drops the key from this node's check
 * cache (other nodes hear PostgreSQL's notification on commit).
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
class KeyAnnouncements {

  @Inject private AuditLog audit;
  @Inject private RedisMirror mirror;
  @Inject private Event<KeyChanged> changes;
  @Inject private Notifications notifications;

  /** A key made, deleted or revoked, with what the audit trail keeps of it (never the value). */
  void announce(String actor, String action, ApiKey key, String owner, Map<String, ?> details) {
    audit.record(actor, action, "api_key", key.getId().toString(), details);
    publish(key, owner);
    notify(action, key, owner, null);
  }

  /** A key an administrator changed, with the before and after of each changed field. */
  void announceChanges(
      String actor, String action, ApiKey key, Map<String, AuditLog.FieldChange> changed) {
    audit.recordChanges(actor, action, "api_key", key.getId().toString(), changed);
    publish(key, key.getOwner().getUsername());
    AuditLog.FieldChange leak = changed.get("leak");
    notify(
        action,
        key,
        key.getOwner().getUsername(),
        leak == null ? null : String.valueOf(leak.after()));
  }

  /**
   * A key rolled or its grace ended: {@code retired} are the hashes it no longer answers to for
   * good (the value a second roll displaced), so the mirror removes them and caches drop them.
   */
  void announceRoll(
      String actor, String action, ApiKey key, Map<String, ?> details, Set<String> retired) {
    String owner = key.getOwner().getUsername();
    audit.record(actor, action, "api_key", key.getId().toString(), details);
    for (String hash : retired) {
      mirror.enqueue(key.getId(), hash, owner);
      changes.fire(new KeyChanged(hash));
    }
    publish(key, owner);
    if (action.equals("api_key.rolled")) {
      notify(action, key, owner, null);
    }
  }

  /** The mirror rewrites the key's entries by its committed state, under each of its values. */
  private void publish(ApiKey key, String owner) {
    mirror.enqueue(key.getId(), key.getKeyHash(), owner);
    changes.fire(new KeyChanged(key.getKeyHash()));
    String previous = key.getPreviousKeyHash();
    if (previous != null) {
      mirror.enqueue(key.getId(), previous, owner);
      changes.fire(new KeyChanged(previous));
    }
  }

  /** The notification of an audited key action; an admin's edit of plan or metadata has none. */
  private void notify(String action, ApiKey key, String owner, String leak) {
    EventType type =
        switch (action) {
          case "api_key.created" -> EventType.KEY_CREATED;
          case "api_key.deleted" -> EventType.KEY_DELETED;
          case "api_key.revoked" -> EventType.KEY_REVOKED_BY_ADMIN;
          case "api_key.leaked" -> EventType.KEY_LEAKED;
          case "api_key.rolled" -> EventType.KEY_ROLLED;
          default -> null;
        };
    if (type == null) {
      return;
    }
    KeyView view = key.view(Instant.now());
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("keyId", key.getId().toString());
    data.put("name", view.name());
    data.put("hint", view.hint());
    data.put("apiProduct", view.product());
    data.put("usagePlan", view.plan());
    data.put("owner", owner);
    data.put("createdAt", view.createdAt());
    data.put("expiresAt", view.expiresAt());
    if (type != EventType.KEY_CREATED && type != EventType.KEY_ROLLED) {
      data.put("revokedAt", key.getRevokedAt());
    }
    if (type == EventType.KEY_ROLLED) {
      // the new value's hint; the value before keeps passing until then
      key.rolling(Instant.now())
          .ifPresent(rolling -> data.put("previousValidUntil", rolling.previousValidUntil()));
    }
    if (type == EventType.KEY_REVOKED_BY_ADMIN) {
      data.put("reason", key.getRevokedReason());
    }
    if (type == EventType.KEY_LEAKED) {
      data.put("reason", leak);
      data.put("revoked", key.isRevoked());
    }
    notifications.record(type, owner, data);
  }
}
