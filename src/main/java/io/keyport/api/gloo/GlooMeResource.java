package io.keyport.api.gloo;

import io.keyport.identity.Roles;
import io.keyport.identity.UserView;
import io.keyport.identity.Users;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/me}: who is signed in, as Gloo Portal's front end reads it. */
@RolesAllowed({Roles.DEVELOPER, Roles.ADMIN})
@Path("me")
@Produces(MediaType.APPLICATION_JSON)
public class GlooMeResource {

  @Inject private SecurityContext security;
  @Inject private Users users;

  /**
   * Gloo's user. Keyport's usernames are e-mail addresses (or the provider's username claim), so
   * {@code email} is the username when it is one, else empty.
   */
  public record Me(String name, String email, String username, boolean isAdmin) {}

  @GET
  public Me me() {
    UserView user = users.signedInAs(security.getCallerPrincipal().getName()).view();
    String username = user.username();
    return new Me(
        user.displayName(),
        username.contains("@") ? username : "",
        username,
        user.roles().contains(Roles.ADMIN));
  }
}
