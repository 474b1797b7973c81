package io.keyport.api.gloo;

import io.keyport.identity.OidcSignIn;
import io.keyport.identity.Roles;
import io.keyport.platform.PortalOrigins;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * The cookie mode of Gloo Portal's front end: {@code /v1/login} and {@code /v1/logout} go through
 * Keyport's own sign-in and sign-out and send the browser back to the front end, only ever to one
 * of {@code keyport.portal-api.allowed-origins}, so neither can be used to bounce a user elsewhere.
 * Without {@code ?redirect=} the browser goes to {@code /} of the address it used: the front end,
 * when a proxy serves it and Keyport under one origin (examples/gloo-portal-ui).
 */
@Path("")
public class GlooSessionResource {

  @Inject private PortalOrigins origins;
  @Inject private OidcSignIn oidc;

  /**
   * Reached signed in: an anonymous browser was sent to the login page first and comes back here
   * (see {@code PortalAuthentication}), then goes on to {@code redirect}.
   */
  @GET
  @Path("login")
  @RolesAllowed({Roles.DEVELOPER, Roles.ADMIN})
  public Response login(@QueryParam("redirect") String redirect) {
    return Response.seeOther(target(redirect)).build();
  }

  /** Ends the Keyport session (and the provider's, when it came from there), then goes back. */
  @GET
  @Path("logout")
  public Response logout(
      @QueryParam("redirect") String redirect, @Context HttpServletRequest request)
      throws ServletException {
    URI back = target(redirect);
    HttpSession session = request.getSession(false);
    URI provider = oidc.endSession(session, back.toString()).orElse(null);
    request.logout();
    if (session != null) {
      session.invalidate();
    }
    return Response.seeOther(provider != null ? provider : back).build();
  }

  private URI target(String redirect) {
    if (redirect == null || redirect.isBlank()) {
      // The starter links to /v1/login as it is; behind its proxy (one origin) "/" is the front
      // end.
      return URI.create("/");
    }
    if (!origins.allowsRedirect(redirect)) {
      throw RequestRefused.invalid(
          "redirect",
          "Keyport sends the browser back only to the front ends in"
              + " keyport.portal-api.allowed-origins; "
              + redirect
              + " is not on one of them.");
    }
    return URI.create(redirect);
  }
}
