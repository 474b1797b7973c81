package io.keyport.identity;

import java.util.Locale;

/** How people sign in, by {@code keyport.auth.mode}: local passwords, OpenID Connect, or both. */
public enum AuthMode {
  LOCAL,
  OIDC,
  BOTH;

  public boolean allowsLocal() {
    return this != OIDC;
  }

  public boolean allowsOidc() {
    return this != LOCAL;
  }

  static AuthMode parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "keyport.auth.mode is '" + value + "'; set it to local, oidc or both", e);
    }
  }
}
