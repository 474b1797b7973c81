package io.keyport.identity;

import java.io.Serializable;
import java.time.Instant;
import java.util.SortedSet;

/**
 * A user as the admin console shows them: {@code oidcIssuer} and {@code oidcSubject} are the
 * provider identity linked to the account (null when none), {@code passwordChangeRequired} that the
 * user still signs in with a temporary password. {@code lockVersion} is the row's lock version: a
 * change must send the version it was made on, so two admins editing one user cannot overwrite each
 * other.
 */
public record Account(
    String username,
    String displayName,
    SortedSet<String> roles,
    boolean enabled,
    boolean local,
    String oidcIssuer,
    String oidcSubject,
    boolean passwordChangeRequired,
    Instant createdAt,
    long liveKeys,
    long lockVersion)
    implements Serializable {

  public boolean admin() {
    return roles.contains(Roles.ADMIN);
  }
}
