package io.keyport.identity;

import java.io.Serializable;
import java.util.Set;

/** Who is signed in on an HTTP session; kept in the session, so it must stay serialisable. */
public record SignedIn(String username, Set<String> roles) implements Serializable {

  public static final String SESSION_ATTRIBUTE = "io.keyport.signedIn";
}
