package io.keyport.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.io.Serializable;
import java.time.Instant;
import java.util.Set;

/**
 * Who is signed in on an HTTP session, and since when: a password changed after {@code since} ends
 * the session. Kept in the session, so it must stay serialisable.
 */
public record SignedIn(String username, Set<String> roles, Instant since) implements Serializable {

  public static final String SESSION_ATTRIBUTE = "io.keyport.signedIn";

  /**
   * After the signed-in user changed their password on this session: the session goes on, signed in
   * anew, under a new id, while every other session of theirs ends.
   */
  public static void renew(HttpServletRequest request, String username) {
    HttpSession session = request.getSession(false);
    if (session != null
        && session.getAttribute(SESSION_ATTRIBUTE) instanceof SignedIn old
        && old.username().equals(username)) {
      request.changeSessionId();
      request.getSession().setAttribute(SESSION_ATTRIBUTE, new SignedIn(username, old.roles()));
    }
  }

  /** Signed in now. */
  public SignedIn(String username, Set<String> roles) {
    this(username, roles, Instant.now());
  }
}
