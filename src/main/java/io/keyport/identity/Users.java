package io.keyport.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.keyport.mirror.RedisNames;
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
   * The Keyport user for a person the provider vouched for, created on first sign-in. Matched by
   * issuer and subject first (stable even when the e-mail address changes), else by username, in
   * which case an account not yet linked to any provider identity is linked to this one. At an
   * interactive sign-in the display name follows the provider and, with an admin claim configured,
   * so does the admin role; a bearer token only finds or creates the user.
   */
  @Transactional(rollbackOn = OidcFailure.class)
  public UserView signInThroughProvider(OidcIdentity identity, boolean interactive)
      throws OidcFailure {
    Optional<User> linked =
        em.createQuery(
                "select u from User u where u.oidcIssuer = :issuer and u.oidcSubject = :subject",
                User.class)
            .setParameter("issuer", identity.issuer())
            .setParameter("subject", identity.subject())
            .getResultStream()
            .findFirst();
    User user = linked.or(() -> find(identity.username())).orElse(null);
    if (user == null) {
      // The username becomes a Redis set name (SPEC §5): it must not take one of Keyport's own.
      String reserved = RedisNames.usernameConflict(identity.username());
      if (reserved != null) {
        throw new OidcFailure(
            OidcFailure.Reason.NO_USERNAME,
            "the provider's username " + identity.username() + " cannot be used: " + reserved);
      }
      user =
          User.fromProvider(
              identity.username(), identity.displayName(), identity.issuer(), identity.subject());
      user.grantAdmin(identity.admin().orElse(false));
      em.persist(user);
      return user.view();
    }
    if (!user.isEnabled()) {
      throw new OidcFailure(
          OidcFailure.Reason.DISABLED,
          "the Keyport account " + user.getUsername() + " is disabled");
    }
    if (linked.isEmpty()) {
      if (user.getOidcSubject() != null) {
        throw new OidcFailure(
            OidcFailure.Reason.CONFLICT,
            "the Keyport account "
                + user.getUsername()
                + " is linked to another identity of "
                + user.getOidcIssuer());
      }
      user.linkProvider(identity.issuer(), identity.subject());
    }
    if (interactive) {
      user.rename(identity.displayName());
      identity.admin().ifPresent(user::grantAdmin);
    }
    return user.view();
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
