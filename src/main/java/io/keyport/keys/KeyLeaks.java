package io.keyport.keys;

import io.keyport.audit.AuditLog;
import io.keyport.platform.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Keys reported as leaked: by a secret scanner that found a value in public, by the key's owner, or
 * by an administrator. A live reported key is revoked (unless the operator asked the scanner's
 * reports for notices only), audited as {@code api_key.leaked} and announced as {@code key.leaked}
 * to webhooks and its owner's e-mail. The reported value is only ever hashed.
 */
@ApplicationScoped
public class KeyLeaks {

  /** The longest account of where a key was found that the audit trail and the mail keep. */
  static final int MAX_WHERE_LENGTH = 300;

  @PersistenceContext private EntityManager em;
  @Inject private KeyHasher hasher;
  @Inject private KeyAnnouncements announcements;
  @Inject private ApiKeys keys;

  /**
   * A value a secret scanner found at {@code where}: whether it is one of Keyport's keys (revoked
   * or not, its current value or the one before its last roll), and, for a live one, its revocation
   * ({@code revoke}; for the previous value, the end of its grace) or only the notice. Runs in the
   * caller's transaction, so a report is handled whole or not at all.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean foundInPublic(String scanner, String value, String where, boolean revoke) {
    if (value == null || !KeyFormat.isWellFormed(value)) {
      return false;
    }
    String hash = hasher.hash(value);
    Optional<ApiKey> found =
        em.createQuery(
                "select k from ApiKey k where k.keyHash = :hash or k.previousKeyHash = :hash",
                ApiKey.class)
            .setParameter("hash", hash)
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .getResultStream()
            .findFirst();
    if (found.isEmpty()) {
      return false;
    }
    ApiKey key = found.get();
    String account = "found in public by " + scanner + ": " + plain(where);
    if (key.isRevoked()) {
      return true;
    }
    if (hash.equals(key.getKeyHash())) {
      leaked(scanner, key, account, revoke);
    } else if (key.inGrace(Instant.now())) {
      // The value it had before its last roll, still in its grace: that value ends, the new one
      // (which did not leak) keeps working.
      previousLeaked(scanner, key, account + " (the value before its last roll)", revoke);
    }
    return true;
  }

  /** The owner reports one of their live keys as leaked: it is revoked at once. */
  @Transactional
  public KeyView reportedByOwner(String username, UUID id) {
    ApiKey key = keys.ownedLiveKey(username, id);
    leaked(username, key, "reported as leaked by its owner", true);
    return key.view(Instant.now());
  }

  /** An administrator reports a live key as leaked: it is revoked at once. */
  @Transactional
  public AdminKeyView reportedByAdmin(String actor, UUID id) {
    ApiKey key = em.find(ApiKey.class, id);
    if (key == null) {
      throw RequestRefused.notFound("There is no API key with id " + id + ".");
    }
    if (key.isRevoked()) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "already_revoked",
          null,
          "This key is revoked already: a revoked value passes nowhere, so there is nothing to do.");
    }
    leaked(actor, key, "reported as leaked by an administrator (" + actor + ")", true);
    return key.adminView(Instant.now());
  }

  private void leaked(String actor, ApiKey key, String account, boolean revoke) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Map<String, AuditLog.FieldChange> changed = new LinkedHashMap<>();
    if (revoke) {
      KeyStatus before = key.adminView(now).status();
      key.revoke(now, account);
      changed.put("status", new AuditLog.FieldChange(before, KeyStatus.REVOKED));
      changed.put("revokedReason", new AuditLog.FieldChange(null, account));
    }
    changed.put("leak", new AuditLog.FieldChange(null, account));
    em.flush();
    announcements.announceChanges(actor, "api_key.leaked", key, changed);
  }

  private void previousLeaked(String actor, ApiKey key, String account, boolean endGrace) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Map<String, AuditLog.FieldChange> changed = new LinkedHashMap<>();
    Instant until = key.rolling(now).map(Rolling::previousValidUntil).orElse(null);
    if (endGrace && key.endGrace(now)) {
      changed.put("previousValidUntil", new AuditLog.FieldChange(until, now));
    }
    changed.put("leak", new AuditLog.FieldChange(null, account));
    em.flush();
    announcements.announceChanges(actor, "api_key.leaked", key, changed);
  }

  /** A scanner's account of a place, as one line of bounded length without control characters. */
  private static String plain(String where) {
    if (where == null || where.isBlank()) {
      return "no place given";
    }
    StringBuilder line = new StringBuilder();
    where
        .strip()
        .codePoints()
        .limit(MAX_WHERE_LENGTH)
        .forEach(c -> line.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return line.toString();
  }
}
