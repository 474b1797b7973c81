package io.keyport.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sign-in through the OpenID Connect provider, authorization code flow with PKCE (RFC 7636, S256):
 * {@link #start} sends the browser to the provider with a fresh state, nonce and code challenge
 * kept in the session; {@link #finish} takes the provider's answer once, checks the state, trades
 * the code for tokens, verifies the ID token and its nonce, and finds or creates the user. Also
 * checks bearer tokens for the REST API, and builds the provider's logout address.
 */
@ApplicationScoped
public class OidcSignIn {

  public static final String LOGIN_PATH = "/oidc/login";
  public static final String CALLBACK_PATH = "/oidc/callback";
  public static final String PROFILE_PAGE = "/portal/profile.xhtml";
  static final String PENDING_ATTRIBUTE = "io.keyport.oidc.pending";
  static final String ID_TOKEN_ATTRIBUTE = "io.keyport.oidc.idToken";
  private static final Duration PENDING_LIFETIME = Duration.ofMinutes(10);
  private static final SecureRandom RANDOM = new SecureRandom();

  @Inject private OidcSettings settings;
  @Inject private OidcProvider provider;
  @Inject private Users users;

  /** One sign-in under way: what the callback must match. Kept in the session, never in a URL. */
  record Pending(
      String state,
      String nonce,
      String codeVerifier,
      String redirectUri,
      String returnTo,
      String linkTo,
      Instant started)
      implements Serializable {}

  /**
   * A finished sign-in: who, where they were going, and the ID token for the logout hint; or, with
   * {@code linked}, a provider identity linked to the account already signed in, whose session goes
   * on as it was.
   */
  public record Finished(SignedIn signedIn, String returnTo, String idToken, boolean linked) {}

  /** The provider's authorization address for a new sign-in that returns to {@code returnTo}. */
  public URI start(HttpServletRequest request, String returnTo) throws OidcFailure {
    return begin(request, returnTo, null);
  }

  /**
   * The provider's authorization address for linking the person's identity there to {@code
   * username}, the account signed in on this session; the callback links instead of signing in.
   * Started only by the profile page's own form, never by a plain link another site could embed.
   */
  public URI startLink(HttpServletRequest request, String username) throws OidcFailure {
    return begin(request, PROFILE_PAGE + "?linked=true", username);
  }

  private URI begin(HttpServletRequest request, String returnTo, String linkTo) throws OidcFailure {
    requireOn();
    OidcProvider.Metadata metadata = provider.metadata();
    Pending pending =
        new Pending(random(), random(), random(), redirectUri(), returnTo, linkTo, Instant.now());
    // A newer sign-in replaces an older one in the same session; the older callback then fails.
    request.getSession().setAttribute(PENDING_ATTRIBUTE, pending);
    Map<String, String> query = new LinkedHashMap<>();
    query.put("response_type", "code");
    query.put("client_id", settings.clientId());
    query.put("redirect_uri", pending.redirectUri());
    query.put("scope", settings.scopes());
    query.put("state", pending.state());
    query.put("nonce", pending.nonce());
    query.put("code_challenge", challenge(pending.codeVerifier()));
    query.put("code_challenge_method", "S256");
    URI endpoint = metadata.authorizationEndpoint();
    String separator = endpoint.getRawQuery() == null ? "?" : "&";
    return URI.create(endpoint + separator + OidcProvider.form(query));
  }

  /** The provider's answer at {@link #CALLBACK_PATH}, taken once: a second try finds no state. */
  public Finished finish(HttpServletRequest request) throws OidcFailure {
    requireOn();
    HttpSession session = request.getSession(false);
    Pending pending = session == null ? null : (Pending) session.getAttribute(PENDING_ATTRIBUTE);
    if (session != null) {
      session.removeAttribute(PENDING_ATTRIBUTE);
    }
    String state = request.getParameter("state");
    if (pending == null) {
      throw new OidcFailure(
          OidcFailure.Reason.STATE,
          "no sign-in is under way in this session (the answer was used already, or the session"
              + " is new)");
    }
    if (state == null
        || !MessageDigest.isEqual(
            state.getBytes(StandardCharsets.UTF_8),
            pending.state().getBytes(StandardCharsets.UTF_8))) {
      throw new OidcFailure(OidcFailure.Reason.STATE, "the state is not the one this sign-in sent");
    }
    if (pending.started().plus(PENDING_LIFETIME).isBefore(Instant.now())) {
      throw new OidcFailure(
          OidcFailure.Reason.STATE, "the sign-in started more than " + PENDING_LIFETIME + " ago");
    }
    String error = request.getParameter("error");
    if (error != null) {
      String description = request.getParameter("error_description");
      throw new OidcFailure(
          OidcFailure.Reason.DENIED,
          "the provider answered "
              + shorten(error)
              + (description == null ? "" : ": " + shorten(description)));
    }
    String code = request.getParameter("code");
    if (code == null || code.isBlank()) {
      throw new OidcFailure(OidcFailure.Reason.CODE, "the provider's answer holds no code");
    }
    OidcProvider.Tokens tokens =
        provider.exchange(code, pending.redirectUri(), pending.codeVerifier());
    JWTClaimsSet claims = provider.verifier().verify(tokens.idToken(), pending.nonce());
    if (pending.linkTo() != null) {
      // Still the account that asked: a session signed out (or in as someone else) meanwhile
      // links nothing.
      if (!(session.getAttribute(SignedIn.SESSION_ATTRIBUTE) instanceof SignedIn signedIn)
          || !signedIn.username().equals(pending.linkTo())) {
        throw new OidcFailure(
            OidcFailure.Reason.STATE,
            "the session that asked to link " + pending.linkTo() + " is no longer signed in as it");
      }
      users.linkThroughProvider(pending.linkTo(), linkIdentity(claims));
      return new Finished(signedIn, pending.returnTo(), null, true);
    }
    UserView user = users.signInThroughProvider(identity(claims), true);
    return new Finished(
        new SignedIn(user.username(), Set.copyOf(user.roles())),
        pending.returnTo(),
        tokens.idToken(),
        false);
  }

  /** The user a REST API bearer token (ID token or JWT access token) of the provider stands for. */
  public UserView bearer(String token) throws OidcFailure {
    requireOn();
    JWTClaimsSet claims = provider.verifier().verify(token, null);
    return users.signInThroughProvider(identity(claims), false);
  }

  /**
   * Where logging out sends the browser: the provider's end-session endpoint with the ID token as
   * hint, coming back to {@code afterLogout}; empty when the session did not come from the provider
   * or the provider has no such endpoint. Read before the session ends.
   */
  public Optional<URI> endSession(HttpSession session, String afterLogout) {
    if (session == null || !settings.mode().allowsOidc()) {
      return Optional.empty();
    }
    Object idToken = session.getAttribute(ID_TOKEN_ATTRIBUTE);
    return idToken instanceof String hint
        ? provider.endSession(hint, afterLogout)
        : Optional.empty();
  }

  /**
   * The portal's public address, from keyport.oidc.redirect-uri; never from the request, whose Host
   * header the client chooses. Empty only with OIDC off, where nothing uses it.
   */
  public String publicBase() {
    return settings
        .redirectUri()
        .map(uri -> uri.substring(0, uri.length() - CALLBACK_PATH.length()))
        .orElse("");
  }

  private String redirectUri() throws OidcFailure {
    return settings
        .redirectUri()
        .orElseThrow(
            () ->
                new OidcFailure(
                    OidcFailure.Reason.UNAVAILABLE, "keyport.oidc.redirect-uri is not set"));
  }

  private OidcIdentity identity(JWTClaimsSet claims) throws OidcFailure {
    return OidcIdentity.of(
        claims, settings.usernameClaim(), settings.adminClaim(), settings.adminValue());
  }

  /**
   * The identity to link: only issuer and subject matter, as the account keeps its own username; so
   * a token without a usable username can still be linked to an account its owner signed in to.
   */
  private static OidcIdentity linkIdentity(JWTClaimsSet claims) {
    return new OidcIdentity(claims.getIssuer(), claims.getSubject(), null, null, Optional.empty());
  }

  private void requireOn() throws OidcFailure {
    if (!settings.mode().allowsOidc()) {
      throw new OidcFailure(
          OidcFailure.Reason.OFF, "keyport.auth.mode is local: sign-in through a provider is off");
    }
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String challenge(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private static String shorten(String text) {
    String printable = text.replaceAll("\\p{Cntrl}", "?");
    return printable.length() > 200 ? printable.substring(0, 200) + "…" : printable;
  }
}
