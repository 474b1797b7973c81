package io.keyport.identity;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The sign-in configuration: {@code keyport.auth.mode} and the {@code keyport.oidc.*} keys. Checked
 * at start-up, so a portal told to use a provider it has no address for does not start at all.
 */
@ApplicationScoped
public class OidcSettings {

  private static final Logger LOG = Logger.getLogger(OidcSettings.class.getName());

  @Inject
  @ConfigProperty(name = "keyport.auth.mode", defaultValue = "local")
  String mode;

  @Inject
  @ConfigProperty(name = "keyport.oidc.issuer")
  Optional<String> issuer;

  @Inject
  @ConfigProperty(name = "keyport.oidc.client-id")
  Optional<String> clientId;

  @Inject
  @ConfigProperty(name = "keyport.oidc.client-secret")
  Optional<String> clientSecret;

  @Inject
  @ConfigProperty(name = "keyport.oidc.scopes", defaultValue = "openid email profile")
  String scopes;

  @Inject
  @ConfigProperty(name = "keyport.oidc.provider-name", defaultValue = "your company account")
  String providerName;

  @Inject
  @ConfigProperty(name = "keyport.oidc.admin-claim")
  Optional<String> adminClaim;

  @Inject
  @ConfigProperty(name = "keyport.oidc.admin-value")
  Optional<String> adminValue;

  @Inject
  @ConfigProperty(name = "keyport.oidc.redirect-uri")
  Optional<String> redirectUri;

  @Inject
  @ConfigProperty(name = "keyport.oidc.username-claim")
  Optional<String> usernameClaim;

  void check(@Observes @Initialized(ApplicationScoped.class) Object application) {
    validate();
  }

  /** Refuses a configuration that cannot work, or would not be safe, with what to set. */
  void validate() {
    AuthMode mode = mode();
    if (!mode.allowsOidc()) {
      return;
    }
    String issuer = issuer();
    if (issuer.isEmpty() || clientId().isEmpty()) {
      throw new IllegalStateException(
          "keyport.auth.mode is "
              + this.mode
              + ", which needs keyport.oidc.issuer and keyport.oidc.client-id"
              + " (env KEYPORT_OIDC_ISSUER, KEYPORT_OIDC_CLIENT_ID)");
    }
    URI uri = URI.create(issuer);
    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
      throw new IllegalStateException(
          "keyport.oidc.issuer must be an https:// (or, for tests, http://) address, not "
              + issuer);
    }
    if (adminClaim.isPresent() != adminValue.isPresent()) {
      throw new IllegalStateException(
          "keyport.oidc.admin-claim and keyport.oidc.admin-value go together: set both or neither");
    }
    // The address the provider sends people back to is never taken from the request: a Host
    // header the attacker chose would otherwise pick where the code goes and where logout returns.
    // The launcher's embedded trial sets it to localhost (like the HMAC secret); nothing else does.
    if (redirectUri().isEmpty()) {
      throw new IllegalStateException(
          "keyport.auth.mode is "
              + this.mode
              + ", which needs keyport.oidc.redirect-uri (env KEYPORT_OIDC_REDIRECT_URI): the"
              + " portal's public address followed by "
              + OidcSignIn.CALLBACK_PATH
              + ", such as https://portal.example.com"
              + OidcSignIn.CALLBACK_PATH
              + ", registered at the provider as Keyport's redirect URI");
    }
    URI redirect;
    try {
      redirect = URI.create(redirectUri().get().trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "keyport.oidc.redirect-uri is not an address: " + redirectUri().get(), e);
    }
    if (!redirect.isAbsolute()
        || redirect.getHost() == null
        || !("https".equals(redirect.getScheme()) || "http".equals(redirect.getScheme()))
        || !redirect.getPath().endsWith(OidcSignIn.CALLBACK_PATH)
        || redirect.getRawQuery() != null
        || redirect.getRawFragment() != null) {
      throw new IllegalStateException(
          "keyport.oidc.redirect-uri must be an absolute https:// (or http://) address ending with "
              + OidcSignIn.CALLBACK_PATH
              + " and without query or fragment, not "
              + redirectUri().get());
    }
    if (usernameClaim.isPresent() && usernameClaim.get().isBlank()) {
      throw new IllegalStateException(
          "keyport.oidc.username-claim is blank: name a claim, or leave it unset to use verified"
              + " e-mail addresses");
    }
    LOG.info(
        "Sign-in: "
            + mode.name().toLowerCase(java.util.Locale.ROOT)
            + ", OpenID Connect provider "
            + issuer
            + ", client "
            + clientId()
            + ", usernames from "
            + usernameClaim().map(c -> "the " + c + " claim").orElse("verified e-mail addresses")
            + (adminClaim.isPresent()
                ? ", admin when " + adminClaim.get() + " holds " + adminValue.get()
                : ", no admin claim"));
  }

  public AuthMode mode() {
    return AuthMode.parse(mode);
  }

  /** The issuer as configured (Auth0's ends with a slash, most others do not). */
  public String issuer() {
    return issuer.map(String::trim).orElse("");
  }

  public String clientId() {
    return clientId.map(String::trim).orElse("");
  }

  Optional<String> clientSecret() {
    return clientSecret.filter(s -> !s.isBlank());
  }

  String scopes() {
    return scopes.contains("openid") ? scopes.trim() : ("openid " + scopes).trim();
  }

  public String providerName() {
    return providerName;
  }

  Optional<String> adminClaim() {
    return adminClaim.filter(s -> !s.isBlank());
  }

  Optional<String> adminValue() {
    return adminValue;
  }

  /** The configured redirect URI; required, and checked at start-up, whenever OIDC is on. */
  Optional<String> redirectUri() {
    return redirectUri.map(String::trim).filter(s -> !s.isBlank());
  }

  /** The claim that names the Keyport username, when the operator vouches for one. */
  Optional<String> usernameClaim() {
    return usernameClaim.map(String::trim).filter(s -> !s.isBlank());
  }
}
