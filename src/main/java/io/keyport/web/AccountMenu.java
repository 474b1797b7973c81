package io.keyport.web;

import io.keyport.identity.OidcSignIn;
import io.keyport.identity.Users;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.SecurityContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.security.Principal;
import java.util.Optional;

/**
 * The header's account corner: who is signed in, and logging out, which for a session that came
 * from the OpenID Connect provider also ends the provider's session where it offers that.
 */
@Named
@RequestScoped
public class AccountMenu {

  @Inject private SecurityContext security;
  @Inject private Users users;
  @Inject private FacesContext faces;
  @Inject private OidcSignIn oidc;

  private String displayName;

  public String getDisplayName() {
    if (displayName == null) {
      Principal caller = security.getCallerPrincipal();
      displayName =
          caller == null
              ? ""
              : users.find(caller.getName()).map(u -> u.getDisplayName()).orElse(caller.getName());
    }
    return displayName;
  }

  public boolean isAdmin() {
    return security.isCallerInRole(io.keyport.identity.Roles.ADMIN);
  }

  public void logout() throws IOException, ServletException {
    ExternalContext external = faces.getExternalContext();
    HttpServletRequest request = (HttpServletRequest) external.getRequest();
    String signedOut = "/login.xhtml?signedOut=true";
    Optional<URI> provider =
        oidc.endSession(request.getSession(false), oidc.publicBase() + signedOut);
    request.logout();
    external.invalidateSession();
    external.redirect(
        provider.map(URI::toString).orElse(external.getRequestContextPath() + signedOut));
  }
}
