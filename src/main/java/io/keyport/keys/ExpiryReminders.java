package io.keyport.keys;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Keys that expire within the next 7 days, for the owner's keys page and the admin dashboard (the
 * hook that notifications build on). "Now" comes from the injected {@link Clock}.
 */
@ApplicationScoped
public class ExpiryReminders {

  /** How far ahead a reminder looks. */
  public static final Duration WINDOW = Duration.ofDays(7);

  @PersistenceContext private EntityManager em;
  @Inject private Clock clock;

  protected ExpiryReminders() {}

  /** Outside the container, on a clock a test moves. */
  ExpiryReminders(Clock clock) {
    this.clock = clock;
  }

  /** Those of {@code keys} that are live and expire within the window, soonest first. */
  public List<KeyView> dueAmong(List<KeyView> keys) {
    Instant now = clock.instant();
    return keys.stream()
        .filter(k -> k.status() == KeyStatus.ACTIVE && due(k.expiresAt(), now))
        .sorted(Comparator.comparing(KeyView::expiresAt))
        .toList();
  }

  /** Every user's live keys that expire within the window, soonest first, at most {@code limit}. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public List<AdminKeyView> ofEveryone(int limit) {
    Instant now = clock.instant();
    return em.createQuery(
            "select k from ApiKey k where k.revokedAt is null and k.expiresAt > :now"
                + " and k.expiresAt <= :until order by k.expiresAt",
            ApiKey.class)
        .setParameter("now", now)
        .setParameter("until", now.plus(WINDOW))
        .setMaxResults(limit)
        .getResultStream()
        .map(k -> k.adminView(now))
        .toList();
  }

  private static boolean due(Instant expiresAt, Instant now) {
    return expiresAt != null && expiresAt.isAfter(now) && !expiresAt.isAfter(now.plus(WINDOW));
  }
}
