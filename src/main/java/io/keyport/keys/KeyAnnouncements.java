package io.keyport.keys;

import io.keyport.audit.AuditLog;
import io.keyport.mirror.RedisMirror;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.Map;
import java.util.Set;

/**
 * The one place that tells the rest of Keyport that a key changed, inside the changing transaction:
 * the audit event, the Redis mirror's outbox row, and the event that drops the key from this node's
 * check cache (other nodes hear PostgreSQL's notification on commit).
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
class KeyAnnouncements {

  @Inject private AuditLog audit;
  @Inject private RedisMirror mirror;
  @Inject private Event<KeyChanged> changes;

  /** A key made, deleted or revoked, with what the audit trail keeps of it (never the value). */
  void announce(String actor, String action, ApiKey key, String owner, Map<String, ?> details) {
    audit.record(actor, action, "api_key", key.getId().toString(), details);
    publish(key, owner);
  }

  /** A key an administrator changed, with the before and after of each changed field. */
  void announceChanges(
      String actor, String action, ApiKey key, Map<String, AuditLog.FieldChange> changed) {
    audit.recordChanges(actor, action, "api_key", key.getId().toString(), changed);
    publish(key, key.getOwner().getUsername());
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
}
