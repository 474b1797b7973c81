package io.keyport.web;

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
import java.security.Principal;

/** The header's account corner: who is signed in, and logging out. */
@Named
@RequestScoped
public class AccountMenu {

  @Inject private SecurityContext security;
  @Inject private Users users;
  @Inject private FacesContext faces;

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
    request.logout();
    external.invalidateSession();
    external.redirect(external.getRequestContextPath() + "/login.xhtml?signedOut=true");
  }
}
