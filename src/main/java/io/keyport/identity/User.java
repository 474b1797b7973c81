package io.keyport.identity;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.TreeSet;

/** A person who logs in. The username is an e-mail address, kept in lower case. */
@Entity
@Table(name = "app_user")
public class User {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false, updatable = false)
  private String username;

  @Column(name = "display_name", nullable = false)
  private String displayName;

  @Column(name = "password_hash")
  private String passwordHash;

  @Column(name = "oidc_issuer")
  private String oidcIssuer;

  @Column(name = "oidc_subject")
  private String oidcSubject;

  private boolean enabled = true;

  @Column(name = "password_change_required", nullable = false)
  private boolean passwordChangeRequired;

  @Column(name = "password_changed_at")
  private Instant passwordChangedAt;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  /** Whether the optional notification e-mails (created, expiring, expired, quota) are wanted. */
  @Column(name = "optional_mail", nullable = false)
  private boolean optionalMail = true;

  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "user_role", joinColumns = @JoinColumn(name = "user_id"))
  @Column(name = "role")
  private Set<String> roles = new TreeSet<>();

  @Version
  @Column(name = "lock_version")
  private long lockVersion;

  protected User() {}

  public User(String username, String displayName, String passwordHash, Set<String> roles) {
    this.username = username;
    this.displayName = displayName;
    this.passwordHash = passwordHash;
    this.roles.addAll(roles);
    // PostgreSQL keeps microseconds: what a create answers must equal what later reads show.
    this.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  /** A person first seen through the provider: no password, only the provider's identity. */
  static User fromProvider(String username, String displayName, String issuer, String subject) {
    User user = new User(username, displayName, null, Set.of(Roles.DEVELOPER));
    user.linkProvider(issuer, subject);
    return user;
  }

  void linkProvider(String issuer, String subject) {
    this.oidcIssuer = issuer;
    this.oidcSubject = subject;
  }

  /** Drops the link to the provider's identity, so the person can be linked again. */
  void unlinkProvider() {
    this.oidcIssuer = null;
    this.oidcSubject = null;
  }

  /** A password the admin chose for the user: good for one sign-in, which must replace it. */
  void setTemporaryPassword(String passwordHash) {
    this.passwordHash = passwordHash;
    this.passwordChangeRequired = true;
  }

  /** The user's own new password; sessions that began before {@code at} end. */
  void changePassword(String passwordHash, Instant at) {
    this.passwordHash = passwordHash;
    this.passwordChangeRequired = false;
    this.passwordChangedAt = at;
  }

  void rename(String displayName) {
    this.displayName = displayName;
  }

  void grantAdmin(boolean admin) {
    if (admin) {
      roles.add(Roles.ADMIN);
    } else {
      roles.remove(Roles.ADMIN);
    }
    roles.add(Roles.DEVELOPER);
  }

  public Long getId() {
    return id;
  }

  public String getUsername() {
    return username;
  }

  public String getDisplayName() {
    return displayName;
  }

  public String getPasswordHash() {
    return passwordHash;
  }

  public String getOidcIssuer() {
    return oidcIssuer;
  }

  public String getOidcSubject() {
    return oidcSubject;
  }

  public boolean isPasswordChangeRequired() {
    return passwordChangeRequired;
  }

  public Instant getPasswordChangedAt() {
    return passwordChangedAt;
  }

  public boolean isEnabled() {
    return enabled;
  }

  public Set<String> getRoles() {
    return Set.copyOf(roles);
  }

  public Instant getCreatedAt() {
    return createdAt;
  }

  /** A local user signs in with a password; others (OIDC) have none. */
  public boolean isLocal() {
    return passwordHash != null;
  }

  public long getLockVersion() {
    return lockVersion;
  }

  void setDisplayName(String displayName) {
    this.displayName = displayName;
  }

  void setOptionalMail(boolean optionalMail) {
    this.optionalMail = optionalMail;
  }

  public boolean isOptionalMail() {
    return optionalMail;
  }

  void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  void setRoles(Set<String> roles) {
    this.roles.clear();
    this.roles.addAll(roles);
  }

  public Account account(long liveKeys) {
    return new Account(
        username,
        displayName,
        new TreeSet<>(roles),
        enabled,
        isLocal(),
        oidcIssuer,
        oidcSubject,
        passwordChangeRequired,
        createdAt,
        liveKeys,
        lockVersion);
  }

  public UserView view() {
    return new UserView(username, displayName, new TreeSet<>(roles));
  }
}
