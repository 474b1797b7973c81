package io.keyport.identity;

import io.keyport.audit.AuditLog;
import io.keyport.audit.AuditLog.FieldChange;
import io.keyport.mirror.RedisMirror;
import io.keyport.mirror.RedisNames;
import io.keyport.notifications.EventType;
import io.keyport.notifications.Notifications;
import io.keyport.platform.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * User accounts as administrators manage them: search, create local users with a temporary
 * password, change display name and roles, disable and enable. Every change is audited with its
 * before and after, checked against the version the admin read, and written in one transaction with
 * the Redis mirror's outbox rows for the user's keys: a disabled user's keys leave Redis, an
 * enabled user's keys return.
 */
@ApplicationScoped
public class UserAdministration {

  static final int MAX_DISPLAY_NAME = 200;
  private static final int MAX_USERNAME = 254;
  private static final int MAX_SUBJECT = 500;
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s.]+");
  private static final Set<String> ROLES = Set.of(Roles.DEVELOPER, Roles.ADMIN);
  private static final String PASSWORD_ALPHABET =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  private static final int PASSWORD_LENGTH = 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  @PersistenceContext private EntityManager em;
  @Inject private Passwords passwords;
  @Inject private AuditLog audit;
  @Inject private OwnedKeys ownedKeys;
  @Inject private RedisMirror mirror;
  @Inject private OidcSettings settings;
  @Inject private Users users;
  @Inject private Notifications notifications;

  /**
   * Users whose username or display name contains {@code text} (any case; null or blank: all), with
   * {@code role} (null: any) and {@code enabled} (null: either), by username.
   */
  @Transactional(Transactional.TxType.SUPPORTS)
  public List<Account> search(String text, String role, Boolean enabled, int limit) {
    StringBuilder jpql = new StringBuilder("select u from User u where 1 = 1");
    Map<String, Object> parameters = new HashMap<>();
    if (text != null && !text.isBlank()) {
      jpql.append(
          " and (lower(u.username) like :text escape '\\' or lower(u.displayName) like :text escape '\\')");
      parameters.put("text", "%" + likeEscape(text.strip().toLowerCase(Locale.ROOT)) + "%");
    }
    if (role != null && !role.isBlank()) {
      jpql.append(" and :role member of u.roles");
      parameters.put("role", role);
    }
    if (enabled != null) {
      jpql.append(" and u.enabled = :enabled");
      parameters.put("enabled", enabled);
    }
    jpql.append(" order by u.username");
    TypedQuery<User> query = em.createQuery(jpql.toString(), User.class).setMaxResults(limit);
    parameters.forEach(query::setParameter);
    List<User> users = query.getResultList();
    Map<Long, Long> keys = ownedKeys.livePerUser();
    return users.stream().map(u -> u.account(keys.getOrDefault(u.getId(), 0L))).toList();
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Account account(String username) {
    User user = existing(username);
    return user.account(ownedKeys.liveOf(user.getId()));
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public long count() {
    return em.createQuery("select count(u) from User u", Long.class).getSingleResult();
  }

  /** Creates a local user with a random temporary password, which is returned this once. */
  @Transactional
  public NewAccount create(String actor, String username, String displayName, Set<String> roles) {
    Map<String, String> errors = new LinkedHashMap<>();
    String name = username(username, errors);
    String display = displayName(displayName, errors);
    Set<String> granted = roles(roles, errors);
    if (!errors.isEmpty()) {
      throw RequestRefused.invalid(errors);
    }
    if (find(name) != null) {
      throw usernameTaken(name);
    }
    String password = temporaryPassword();
    User user = new User(name, display, null, granted);
    user.setTemporaryPassword(passwords.hash(password.toCharArray()));
    em.persist(user);
    try {
      em.flush();
    } catch (PersistenceException e) {
      // Another admin created the same user a moment ago.
      throw usernameTaken(name);
    }
    Map<String, FieldChange> created = new LinkedHashMap<>();
    created.put("username", new FieldChange(null, name));
    created.put("displayName", new FieldChange(null, display));
    created.put("roles", new FieldChange(null, String.join(",", granted)));
    created.put("enabled", new FieldChange(null, true));
    audit.recordChanges(actor, "user.created", "user", name, created);
    return new NewAccount(user.account(0), password);
  }

  /**
   * Applies an admin's change. Refused, with nothing written: a version other than the current one
   * (someone changed the user meanwhile), invalid values, and an admin disabling or demoting
   * themselves. As the one making a change is always an enabled admin, refusing it to change itself
   * is what keeps Keyport from ever losing its last admin.
   */
  @Transactional
  public Account update(String actor, String username, AccountChange change) {
    User user = existing(username);
    RequestRefused.requireLockVersion(change.lockVersion(), "the user " + username);
    if (change.lockVersion() != user.getLockVersion()) {
      throw conflict(user);
    }
    Map<String, String> errors = new LinkedHashMap<>();
    String display =
        change.displayName() == null
            ? user.getDisplayName()
            : displayName(change.displayName(), errors);
    Set<String> roles = change.roles() == null ? user.getRoles() : roles(change.roles(), errors);
    boolean enabled = change.enabled() == null ? user.isEnabled() : change.enabled();
    if (!errors.isEmpty()) {
      throw RequestRefused.invalid(errors);
    }
    if (user.getUsername().equals(Users.normalise(actor))) {
      if (!enabled) {
        throw new RequestRefused(
            RequestRefused.Reason.CONFLICT,
            "cannot_change_self",
            "enabled",
            "You cannot disable your own account: another administrator has to, so Keyport is"
                + " never left without one.");
      }
      if (!roles.contains(Roles.ADMIN)) {
        throw new RequestRefused(
            RequestRefused.Reason.CONFLICT,
            "cannot_change_self",
            "roles",
            "You cannot remove your own admin role: another administrator has to, so Keyport is"
                + " never left without one.");
      }
    }

    Map<String, FieldChange> changed = new LinkedHashMap<>();
    changed.put("displayName", new FieldChange(user.getDisplayName(), display));
    changed.put(
        "roles",
        new FieldChange(
            String.join(",", new TreeSet<>(user.getRoles())),
            String.join(",", new TreeSet<>(roles))));
    changed.put("enabled", new FieldChange(user.isEnabled(), enabled));
    boolean enabledChanged = enabled != user.isEnabled();
    if (changed.values().stream().allMatch(c -> Objects.equals(c.before(), c.after()))) {
      return user.account(ownedKeys.liveOf(user.getId()));
    }
    user.setDisplayName(display);
    user.setRoles(roles);
    user.setEnabled(enabled);
    try {
      em.flush();
    } catch (OptimisticLockException e) {
      throw conflict(user);
    }
    audit.recordChanges(actor, "user.updated", "user", user.getUsername(), changed);
    if (enabledChanged) {
      mirrorKeysOf(user);
    }
    if (enabledChanged && !enabled) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("username", user.getUsername());
      data.put("displayName", user.getDisplayName());
      data.put("disabledBy", Users.normalise(actor));
      data.put("disabledAt", Instant.now());
      notifications.record(EventType.USER_DISABLED, user.getUsername(), data);
    }
    users.announceAfterCommit(user.getUsername());
    return user.account(ownedKeys.liveOf(user.getId()));
  }

  /**
   * Links the provider identity with {@code subject} (at the configured issuer) to a user, on the
   * version the admin read: how an existing account, a local one included, gets its sign-in through
   * the provider, as sign-in itself never links an account. Refused when the identity belongs to
   * another user or the user is linked to another identity already (unlink first).
   */
  @Transactional
  public Account linkProvider(String actor, String username, Long version, String subject) {
    User user = current(username, version);
    if (!settings.mode().allowsOidc()) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "oidc_off",
          "subject",
          "This Keyport does not sign in through a provider (keyport.auth.mode is local), so there"
              + " is nothing to link.");
    }
    String sub = subject == null ? "" : subject.strip();
    if (sub.isEmpty()
        || sub.length() > MAX_SUBJECT
        || sub.chars().anyMatch(Character::isISOControl)) {
      throw RequestRefused.invalid(
          "subject",
          "Enter the person's subject (the sub claim) at "
              + settings.providerName()
              + ", at most "
              + MAX_SUBJECT
              + " characters.");
    }
    String issuer = settings.issuer();
    User holder =
        em.createQuery(
                "select u from User u where u.oidcIssuer = :issuer and u.oidcSubject = :subject",
                User.class)
            .setParameter("issuer", issuer)
            .setParameter("subject", sub)
            .getResultStream()
            .findFirst()
            .orElse(null);
    if (holder != null && !holder.getId().equals(user.getId())) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "identity_taken",
          "subject",
          "That identity is linked to "
              + holder.getUsername()
              + ". Unlink it there first if it belongs to "
              + user.getUsername()
              + ".");
    }
    if (holder != null) {
      return user.account(ownedKeys.liveOf(user.getId()));
    }
    if (user.getOidcSubject() != null) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "already_linked",
          "subject",
          user.getUsername()
              + " is linked to another identity. Unlink it first, then link the new one.");
    }
    Map<String, FieldChange> changed = new LinkedHashMap<>();
    changed.put("oidcIssuer", new FieldChange(null, issuer));
    changed.put("oidcSubject", new FieldChange(null, sub));
    user.linkProvider(issuer, sub);
    flushOnVersion(user);
    audit.recordChanges(actor, "user.oidc_linked", "user", user.getUsername(), changed);
    users.announceAfterCommit(user.getUsername());
    return user.account(ownedKeys.liveOf(user.getId()));
  }

  /** Removes a user's link to the provider, on the version the admin read. */
  @Transactional
  public Account unlinkProvider(String actor, String username, Long version) {
    User user = current(username, version);
    if (user.getOidcSubject() == null) {
      return user.account(ownedKeys.liveOf(user.getId()));
    }
    if (!user.isLocal()) {
      throw new RequestRefused(
          RequestRefused.Reason.CONFLICT,
          "no_other_sign_in",
          "subject",
          user.getUsername()
              + " has no password and signs in only through the provider; unlinking would lock"
              + " them out. Disable the user instead.");
    }
    Map<String, FieldChange> changed = new LinkedHashMap<>();
    changed.put("oidcIssuer", new FieldChange(user.getOidcIssuer(), null));
    changed.put("oidcSubject", new FieldChange(user.getOidcSubject(), null));
    user.unlinkProvider();
    flushOnVersion(user);
    audit.recordChanges(actor, "user.oidc_unlinked", "user", user.getUsername(), changed);
    users.announceAfterCommit(user.getUsername());
    return user.account(ownedKeys.liveOf(user.getId()));
  }

  private User current(String username, Long version) {
    User user = existing(username);
    RequestRefused.requireLockVersion(version, "the user " + username);
    if (version != user.getLockVersion()) {
      throw conflict(user);
    }
    return user;
  }

  private void flushOnVersion(User user) {
    try {
      em.flush();
    } catch (OptimisticLockException e) {
      throw conflict(user);
    }
  }

  /**
   * Queues the user's unrevoked keys for the mirror, which writes or removes them by their state.
   */
  private void mirrorKeysOf(User user) {
    List<Object[]> keys =
        em.createQuery(
                "select k.id, k.keyHash from ApiKey k where k.owner = :user and k.revokedAt is null",
                Object[].class)
            .setParameter("user", user)
            .getResultList();
    for (Object[] key : keys) {
      mirror.enqueue((UUID) key[0], (String) key[1], user.getUsername());
    }
  }

  /**
   * This node's caches hear of the change the moment it commits, before the admin's request
   * returns; other nodes hear PostgreSQL's notification of it within milliseconds.
   */
  private User existing(String username) {
    User user = find(username == null ? "" : Users.normalise(username));
    if (user == null) {
      throw RequestRefused.notFound(
          "There is no user " + username + ". Search the users list for the right address.");
    }
    return user;
  }

  private User find(String username) {
    return em.createQuery("select u from User u where u.username = :username", User.class)
        .setParameter("username", username)
        .getResultStream()
        .findFirst()
        .orElse(null);
  }

  private static String username(String raw, Map<String, String> errors) {
    String name = raw == null ? "" : Users.normalise(raw);
    if (name.isEmpty()) {
      errors.put("username", "Enter the user's e-mail address; it is their username.");
    } else if (name.length() > MAX_USERNAME || !EMAIL.matcher(name).matches()) {
      errors.put(
          "username",
          "The username must be an e-mail address such as jane@example.com, at most "
              + MAX_USERNAME
              + " characters.");
    } else if (RedisNames.usernameConflict(name) != null) {
      errors.put(
          "username",
          "This username cannot be used: "
              + RedisNames.usernameConflict(name)
              + ". Use the person's e-mail address.");
    }
    return name;
  }

  private static String displayName(String raw, Map<String, String> errors) {
    String name = raw == null ? "" : raw.strip();
    if (name.isEmpty()) {
      errors.put("displayName", "Enter the name Keyport shows for this user, such as Jane Doe.");
    } else if (name.length() > MAX_DISPLAY_NAME) {
      errors.put("displayName", "A display name has at most " + MAX_DISPLAY_NAME + " characters.");
    } else if (name.chars().anyMatch(Character::isISOControl)) {
      errors.put("displayName", "A display name cannot contain tabs, newlines or other controls.");
    }
    return name;
  }

  private static Set<String> roles(Set<String> raw, Map<String, String> errors) {
    if (raw == null || raw.isEmpty()) {
      errors.put("roles", "Give the user at least one role: developer, admin, or both.");
      return Set.of();
    }
    if (raw.stream().anyMatch(role -> role == null || !ROLES.contains(role))) {
      errors.put("roles", "The roles are developer and admin; nothing else.");
      return Set.of();
    }
    return new TreeSet<>(raw);
  }

  private static String temporaryPassword() {
    StringBuilder password = new StringBuilder(PASSWORD_LENGTH);
    for (int i = 0; i < PASSWORD_LENGTH; i++) {
      password.append(PASSWORD_ALPHABET.charAt(RANDOM.nextInt(PASSWORD_ALPHABET.length())));
    }
    return password.toString();
  }

  private static RequestRefused usernameTaken(String name) {
    return new RequestRefused(
        RequestRefused.Reason.CONFLICT,
        "username_taken",
        "username",
        "There is already a user " + name + ". Search for them, or use another address.");
  }

  private static RequestRefused conflict(User user) {
    return RequestRefused.versionConflict("the user " + user.getUsername());
  }

  private static String likeEscape(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
