package io.keyport.web;

import io.keyport.identity.OidcSettings;
import io.keyport.identity.OidcSignIn;
import io.keyport.identity.PortalAuthentication;
import io.keyport.identity.Roles;
import io.keyport.identity.SignedIn;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.SecurityContext;
import jakarta.security.enterprise.authentication.mechanism.http.AuthenticationParameters;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;

/**
 * The login page: a local user's e-mail address and password, the button for the OpenID Connect
 * provider, or both, as {@code keyport.auth.mode} says.
 */
@Named
@RequestScoped
public class LoginForm {

  static final String HOME = "/portal/products.xhtml";
  static final String ADMIN_HOME = "/admin/dashboard.xhtml";

  @Inject private SecurityContext security;
  @Inject private FacesContext faces;
  @Inject private OidcSettings settings;

  private String username;
  private String password;

  /** Sends a signed-in visitor straight on to the portal. */
  public void redirectIfSignedIn() throws IOException {
    if (security.getCallerPrincipal() != null) {
      ExternalContext external = faces.getExternalContext();
      external.redirect(
          external.getRequestContextPath()
              + (security.isCallerInRole(Roles.ADMIN) ? ADMIN_HOME : HOME));
    }
  }

  public boolean isLocalOffered() {
    return settings.mode().allowsLocal();
  }

  public boolean isProviderOffered() {
    return settings.mode().allowsOidc();
  }

  /** "Sign in with Acme SSO", as {@code keyport.oidc.provider-name} names the provider. */
  public String getProviderButton() {
    return Wording.text("oidc.signInWith", settings.providerName());
  }

  public String getProviderIntro() {
    return Wording.text("oidc.intro", settings.providerName());
  }

  /** The address that starts a sign-in through the provider. */
  public String getProviderSignIn() {
    return faces.getExternalContext().getRequestContextPath() + OidcSignIn.LOGIN_PATH;
  }

  public void login() throws IOException {
    if (!isLocalOffered()) {
      Messages.error(null, Wording.text("oidc.localOff", settings.providerName()));
      return;
    }
    ExternalContext external = faces.getExternalContext();
    HttpServletRequest request = (HttpServletRequest) external.getRequest();
    AuthenticationStatus status =
        security.authenticate(
            request,
            (HttpServletResponse) external.getResponse(),
            AuthenticationParameters.withParams()
                .credential(new UsernamePasswordCredential(username, password)));
    switch (status) {
      case SUCCESS -> external.redirect(external.getRequestContextPath() + returnTo(request));
      case SEND_CONTINUE -> faces.responseComplete();
      default -> Messages.error(null, failure(request));
    }
  }

  /** Why the sign-in failed: a wrong password, or refused before the password was checked. */
  private static String failure(HttpServletRequest request) {
    if (request.getAttribute(PortalAuthentication.RETRY_AFTER_ATTRIBUTE) instanceof Long seconds) {
      return seconds > 0 ? Wording.text("login.throttled", seconds) : Wording.text("login.busy");
    }
    return Wording.text("login.failed");
  }

  private static String returnTo(HttpServletRequest request) {
    HttpSession session = request.getSession();
    Object target = session.getAttribute(PortalAuthentication.RETURN_TO_ATTRIBUTE);
    session.removeAttribute(PortalAuthentication.RETURN_TO_ATTRIBUTE);
    // Only a path of this application that the mechanism itself saved; never an outside address.
    if (target instanceof String path && path.startsWith("/") && !path.startsWith("//")) {
      return path;
    }
    // Administrators land on their dashboard, everyone else on the products.
    return session.getAttribute(SignedIn.SESSION_ATTRIBUTE) instanceof SignedIn signedIn
            && signedIn.roles().contains(Roles.ADMIN)
        ? ADMIN_HOME
        : HOME;
  }

  public String getUsername() {
    return username;
  }

  public void setUsername(String username) {
    this.username = username;
  }

  public String getPassword() {
    return password;
  }

  public void setPassword(String password) {
    this.password = password;
  }
}
