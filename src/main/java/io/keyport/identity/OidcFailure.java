package io.keyport.identity;

import java.util.Locale;

/**
 * Why a sign-in through the provider, or a bearer token, was refused. The reason picks the text the
 * person sees; the detail, which never holds a token, goes to the log.
 */
public class OidcFailure extends Exception {

  private static final long serialVersionUID = 1L;

  /** What went wrong, in words a page and the log share. */
  public enum Reason {
    /** The provider did not answer, or answered with something that is not OpenID Connect. */
    UNAVAILABLE,
    /** The callback's state is unknown, already used or expired: a replay or a stale tab. */
    STATE,
    /** The provider reported an error instead of a code (the person cancelled, or was refused). */
    DENIED,
    /** The provider refused to exchange the code (expired, used, or a PKCE mismatch). */
    CODE,
    /** A token whose signature does not verify: altered, or from another key. */
    SIGNATURE,
    /** A token from another issuer. */
    ISSUER,
    /** A token meant for another client. */
    AUDIENCE,
    /** A token past its expiry time, or not yet valid. */
    EXPIRED,
    /** An ID token whose nonce is not the one this sign-in sent. */
    NONCE,
    /** Not a token Keyport can read: not a signed JWT, or lacking required claims. */
    MALFORMED,
    /** The token holds neither an e-mail address nor the configured username claim. */
    NO_USERNAME,
    /** The token's e-mail address is not marked verified by the provider. */
    UNVERIFIED,
    /**
     * A Keyport account with the person's username exists and is not linked to this identity: its
     * owner links it from their profile, or an admin does; it is never linked by itself.
     */
    ACCOUNT_EXISTS,
    /** Linking from a profile: this provider identity is linked to another Keyport account. */
    IDENTITY_TAKEN,
    /** The Keyport account exists and is disabled. */
    DISABLED,
    /** The username belongs to a Keyport account linked to another provider identity. */
    CONFLICT,
    /** This portal does not offer sign-in through a provider ({@code keyport.auth.mode}). */
    OFF;

    /** The word in URLs and JSON: {@code no_username}. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The reason for a word, or null for a word that names none. */
    public static Reason of(String word) {
      for (Reason reason : values()) {
        if (reason.word().equals(word)) {
          return reason;
        }
      }
      return null;
    }

    /** Whether this is something wrong with a token, as opposed to the flow or the account. */
    public boolean isTokenProblem() {
      return switch (this) {
        case SIGNATURE, ISSUER, AUDIENCE, EXPIRED, NONCE, MALFORMED -> true;
        default -> false;
      };
    }
  }

  private final Reason reason;

  public OidcFailure(Reason reason, String detail) {
    super(detail);
    this.reason = reason;
  }

  public OidcFailure(Reason reason, String detail, Throwable cause) {
    super(detail, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
