package io.keyport.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.keyport.audit.AuditLog;
import io.keyport.mirror.RedisNames;
import io.keyport.platform.ClientAddress;
import io.keyport.platform.DataChanged;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Users as they sign in and use the portal themselves: finding and checking them, the sign-in
 * through a provider, their sessions and their own password. What administrators do to users is in
 * {@link UserAdministration}.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class Users {

  // Who may go on using a session: read on every signed-in request, so kept in memory, and
  // dropped the moment a user changes (on every node, by PostgreSQL's notification).
  private final Cache<String, Optional<Standing>> sessions =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(5)).build();

  @PersistenceContext private EntityManager em;
  @Inject private Passwords passwords;
  @Inject private AuditLog audit;
  @Inject private SignInThrottle throttle;
  @Inject private HttpServletRequest request;
  @Inject private Event<DataChanged> changes;
  @Resource private TransactionSynchronizationRegistry transactions;

  /** What decides whether a session may go on, and where to. */
  private record Standing(
      UserView user, boolean passwordChangeRequired, Instant passwordChangedAt) {}

  public Optional<User> find(String username) {
    if (username == null || username.isBlank()) {
      return Optional.empty();
    }
    return em.createQuery("select u from User u where u.username = :username", User.class)
        .setParameter("username", normalise(username))
        .getResultStream()
        .findFirst();
  }

  /**
   * The user a request is signed in as (its caller principal): there is one, since the sign-in
   * checks it on every request, so a missing one is a fault, not a refusal.
   */
  public User signedInAs(String username) {
    return find(username)
        .orElseThrow(() -> new IllegalStateException("The signed-in user no longer exists"));
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
   * The Keyport user for a person the provider vouched for, created on first sign-in. Found only by
   * issuer and subject (stable even when the e-mail address changes). A username that an existing
   * account holds is never linked by itself, whatever the token says: that account's owner links it
   * from their profile ({@link #linkThroughProvider}), or an admin does; otherwise an account at
   * the provider with someone else's address would take that account over. At an interactive
   * sign-in the display name follows the provider and, with an admin claim configured, so does the
   * admin role; a bearer token only finds or creates the user.
   */
  @Transactional(rollbackOn = OidcFailure.class)
  public UserView signInThroughProvider(OidcIdentity identity, boolean interactive)
      throws OidcFailure {
    User user = linkedTo(identity).orElse(null);
    if (user == null) {
      if (find(identity.username()).isPresent()) {
        throw new OidcFailure(
            OidcFailure.Reason.ACCOUNT_EXISTS,
            "the Keyport account "
                + identity.username()
                + " exists and is not linked to subject "
                + identity.subject()
                + " of "
                + identity.issuer()
                + "; its owner links it from their profile, or an admin links it");
      }
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
    if (interactive) {
      user.rename(identity.displayName());
      identity.admin().ifPresent(user::grantAdmin);
    }
    return user.view();
  }

  /**
   * Links the provider identity that just signed in to {@code username}, the account signed in on
   * the session that asked for it. Refused when the identity belongs to another account, or the
   * account is linked to another identity already. Names and roles stay as they are.
   */
  @Transactional(rollbackOn = OidcFailure.class)
  public void linkThroughProvider(String username, OidcIdentity identity) throws OidcFailure {
    User user =
        find(username)
            .filter(User::isEnabled)
            .orElseThrow(
                () ->
                    new OidcFailure(
                        OidcFailure.Reason.DISABLED,
                        "the Keyport account " + username + " is disabled or gone"));
    Optional<User> holder = linkedTo(identity);
    if (holder.isPresent() && !holder.get().getId().equals(user.getId())) {
      throw new OidcFailure(
          OidcFailure.Reason.IDENTITY_TAKEN,
          "subject "
              + identity.subject()
              + " of "
              + identity.issuer()
              + " is linked to "
              + holder.get().getUsername()
              + ", not to "
              + username);
    }
    if (holder.isPresent()) {
      return;
    }
    if (user.getOidcSubject() != null) {
      throw new OidcFailure(
          OidcFailure.Reason.CONFLICT,
          "the Keyport account " + username + " is linked to another identity already");
    }
    user.linkProvider(identity.issuer(), identity.subject());
    audit.record(
        username,
        "user.oidc_linked",
        "user",
        username,
        Map.of("issuer", identity.issuer(), "subject", identity.subject(), "by", "profile"));
    announceAfterCommit(username);
  }

  private Optional<User> linkedTo(OidcIdentity identity) {
    return em.createQuery(
            "select u from User u where u.oidcIssuer = :issuer and u.oidcSubject = :subject",
            User.class)
        .setParameter("issuer", identity.issuer())
        .setParameter("subject", identity.subject())
        .getResultStream()
        .findFirst();
  }

  /**
   * Whether a user gets the optional notification e-mails (key created, expiring, expired, quota
   * thresholds); a revocation by an administrator is mailed either way. Audited.
   */
  @Transactional
  public void chooseOptionalMail(String username, boolean wanted) {
    User user =
        find(username)
            .orElseThrow(() -> RequestRefused.notFound("There is no user " + username + "."));
    if (user.isOptionalMail() == wanted) {
      return;
    }
    user.setOptionalMail(wanted);
    audit.record(
        username, "user.mail_preference", "user", username, Map.of("optionalMail", wanted));
  }

  /**
   * Changes a local user's own password. Refused, with nothing written: a wrong current password, a
   * new one that breaks {@link Passwords#problem}, and a user without a local password. The change
   * is audited (never the passwords), clears the temporary-password flag, and ends every session of
   * the user that began before it; the caller renews its own ({@link SignedIn#renew}).
   */
  @Transactional
  public void changePassword(String username, char[] current, char[] chosen) {
    User user =
        find(username)
            .orElseThrow(() -> RequestRefused.notFound("There is no user " + username + "."));
    if (!user.isLocal()) {
      throw new RequestRefused(
          RequestRefused.Reason.INVALID,
          "no_local_password",
          "currentPassword",
          "Your account signs in through the identity provider and has no Keyport password to"
              + " change. Change your password there.");
    }
    Map<String, String> errors = new LinkedHashMap<>();
    if (current == null || current.length == 0) {
      errors.put("currentPassword", "Enter your current password.");
    }
    String problem = passwords.problem(chosen, username);
    if (problem != null) {
      errors.put("newPassword", problem);
    }
    RequestRefused.throwIfAny(errors);
    // Guessing the current password is guessing a password: throttled like a sign-in.
    String address = ClientAddress.of(request);
    long wait = throttle.retryAfterSeconds(username, address);
    if (wait > 0) {
      throw RequestRefused.tooManyAttempts(
          "Too many wrong current passwords for this account or from this address. Try again in "
              + wait
              + " s.",
          wait);
    }
    if (!passwords.verify(current, user.getPasswordHash())) {
      throttle.failed(username, address, SignInThrottle.Channel.PASSWORD_CHANGE, "wrong_password");
      throw new RequestRefused(
          RequestRefused.Reason.INVALID,
          "wrong_password",
          "currentPassword",
          "Your current password is not right. Enter the password you signed in with.");
    }
    if (passwords.verify(chosen, user.getPasswordHash())) {
      throw new RequestRefused(
          RequestRefused.Reason.INVALID,
          "password_unchanged",
          "newPassword",
          "The new password is the one you have now. Choose a different one.");
    }
    throttle.succeeded(username);
    boolean wasTemporary = user.isPasswordChangeRequired();
    user.changePassword(passwords.hash(chosen), Instant.now().truncatedTo(ChronoUnit.MICROS));
    audit.record(
        username,
        "user.password_changed",
        "user",
        username,
        Map.of("temporary", wasTemporary, "otherSessionsEnded", true));
    announceAfterCommit(username);
  }

  /**
   * The user behind a session as they are now: empty once disabled or removed, or when their
   * password changed after the session signed in, and with the roles they hold now, so disabling or
   * demoting someone takes effect on their open sessions too.
   */
  public Optional<UserView> signedIn(SignedIn session) {
    return standing(session.username())
        .filter(
            s ->
                s.passwordChangedAt() == null
                    || session.since() == null
                    || !session.since().isBefore(s.passwordChangedAt()))
        .map(Standing::user);
  }

  /**
   * The user as they are now, with the roles they hold now; empty once disabled or removed. For a
   * remembered Basic sign-in, which is forgotten as soon as the user's row changes.
   */
  public Optional<UserView> current(String username) {
    return standing(username).map(Standing::user);
  }

  /** Whether the user signs in with a temporary password, which they must change first. */
  public boolean passwordChangeRequired(String username) {
    return standing(username).map(Standing::passwordChangeRequired).orElse(false);
  }

  private Optional<Standing> standing(String username) {
    return sessions.get(
        username,
        u ->
            find(u)
                .filter(User::isEnabled)
                .map(
                    user ->
                        new Standing(
                            user.view(),
                            user.isPasswordChangeRequired(),
                            user.getPasswordChangedAt())));
  }

  /**
   * Tells this node's caches of the user (sessions, remembered Basic sign-ins) once the changing
   * transaction commits; other nodes hear it by PostgreSQL's notice.
   */
  void announceAfterCommit(String username) {
    transactions.registerInterposedSynchronization(
        new Synchronization() {
          @Override
          public void beforeCompletion() {}

          @Override
          public void afterCompletion(int status) {
            if (status == Status.STATUS_COMMITTED) {
              changes.fire(new DataChanged(DataChanged.Kind.USER, username));
            }
          }
        });
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
