package io.keyport.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.keyport.platform.DataChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Finds, checks and creates users. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class Users {

  // Who may go on using a session: read on every signed-in request, so kept in memory, and
  // dropped the moment a user changes (on every node, by PostgreSQL's notification).
  private final Cache<String, Optional<UserView>> sessions =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(5)).build();

  @PersistenceContext private EntityManager em;
  @Inject private Passwords passwords;

  public Optional<User> find(String username) {
    if (username == null || username.isBlank()) {
      return Optional.empty();
    }
    return em.createQuery("select u from User u where u.username = :username", User.class)
        .setParameter("username", normalise(username))
        .getResultStream()
        .findFirst();
  }

  /** The enabled local user with this username and password, if there is one. */
  public Optional<UserView> authenticate(String username, char[] password) {
    Optional<User> user = find(username).filter(u -> u.getPasswordHash() != null);
    if (user.isEmpty()) {
      passwords.verifyDecoy(password);
      return Optional.empty();
    }
    boolean matches = passwords.verify(password, user.get().getPasswordHash());
    return matches && user.get().isEnabled() ? user.map(User::view) : Optional.empty();
  }

  /**
   * The user behind a session as they are now: empty once disabled or removed, and with the roles
   * they hold now, so disabling or demoting someone takes effect on their open sessions too.
   */
  public Optional<UserView> signedIn(String username) {
    return sessions.get(username, u -> find(u).filter(User::isEnabled).map(User::view));
  }

  void onDataChanged(@Observes DataChanged change) {
    switch (change.kind()) {
      case USER -> sessions.invalidate(change.id());
      case ALL -> sessions.invalidateAll();
      default -> {
        // keys and the catalogue do not change who is signed in
      }
    }
  }

  @Transactional
  public User createLocal(String username, String displayName, char[] password, Set<String> roles) {
    User user = new User(normalise(username), displayName, passwords.hash(password), roles);
    em.persist(user);
    return user;
  }

  static String normalise(String username) {
    return username.trim().toLowerCase(Locale.ROOT);
  }
}
