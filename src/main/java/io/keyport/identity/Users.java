package io.keyport.identity;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Finds, checks and creates users. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class Users {

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
