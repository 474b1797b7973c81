package io.keyport.api;

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
import java.util.List;

/** Who the caller is. */
@RolesAllowed({Roles.DEVELOPER, Roles.ADMIN})
@Path("me")
@Produces(MediaType.APPLICATION_JSON)
public class MeResource {

  @Inject private SecurityContext security;
  @Inject private Users users;

  /** The caller, as {@code GET /api/v1/me} returns them. */
  public record Me(String username, String displayName, List<String> roles) {}

  @GET
  public Me me() {
    UserView user =
        users
            .find(security.getCallerPrincipal().getName())
            .orElseThrow(() -> new IllegalStateException("The signed-in user no longer exists"))
            .view();
    return new Me(user.username(), user.displayName(), List.copyOf(user.roles()));
  }
}
