package io.keyport.api;

import io.keyport.identity.Account;
import io.keyport.identity.AccountChange;
import io.keyport.identity.NewAccount;
import io.keyport.identity.Roles;
import io.keyport.identity.UserAdministration;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Users, for administrators (web.xml admits only the admin role). */
@RolesAllowed(Roles.ADMIN)
@Path("admin/users")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Admin: users", description = "Needs the admin role; 403 otherwise.")
public class AdminUsersResource {

  private static final int MAX_LIMIT = 1000;

  @Inject private UserAdministration accounts;
  @Inject private SecurityContext security;

  /** A user as the admin API returns them; send {@code lockVersion} back with a change. */
  public record User(
      String username,
      String displayName,
      List<String> roles,
      boolean enabled,
      boolean local,
      String oidcIssuer,
      String oidcSubject,
      boolean passwordChangeRequired,
      Instant createdAt,
      long liveKeys,
      long lockVersion) {
    static User of(Account a) {
      return new User(
          a.username(),
          a.displayName(),
          List.copyOf(a.roles()),
          a.enabled(),
          a.local(),
          a.oidcIssuer(),
          a.oidcSubject(),
          a.passwordChangeRequired(),
          a.createdAt(),
          a.liveKeys(),
          a.lockVersion());
    }
  }

  /** A local user just created, with the temporary password shown this once. */
  public record Created(
      String username,
      String displayName,
      List<String> roles,
      boolean enabled,
      boolean local,
      boolean passwordChangeRequired,
      Instant createdAt,
      long liveKeys,
      long lockVersion,
      String temporaryPassword) {
    static Created of(NewAccount created) {
      User u = User.of(created.account());
      return new Created(
          u.username(),
          u.displayName(),
          u.roles(),
          u.enabled(),
          u.local(),
          u.passwordChangeRequired(),
          u.createdAt(),
          u.liveKeys(),
          u.lockVersion(),
          created.temporaryPassword());
    }

    @Override
    public String toString() {
      return "Created[" + username + ", temporaryPassword=(not shown)]";
    }
  }

  /** The body of {@code PUT /api/v1/admin/users/{username}/oidc-link}. */
  public record Link(Long lockVersion, String subject) {}

  @PUT
  @Path("{username}/oidc-link")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Link a user to an identity at the provider",
      description =
          "subject: the person's sub claim at the configured issuer. Sign-in never links an"
              + " existing account by itself; this (or the user's own profile) does.")
  @APIResponse(responseCode = "200", description = "Linked")
  @APIResponse(
      responseCode = "409",
      description = "identity_taken, already_linked, version_conflict, oidc_off")
  public User link(@PathParam("username") String username, Link body) {
    if (body == null) {
      throw RequestRefused.invalid(null, "Send a JSON body with lockVersion and subject.");
    }
    return User.of(accounts.linkProvider(caller(), username, body.lockVersion(), body.subject()));
  }

  @DELETE
  @Path("{username}/oidc-link")
  @Operation(summary = "Unlink a user from the provider")
  @APIResponse(responseCode = "409", description = "no_other_sign_in, version_conflict")
  public User unlink(
      @PathParam("username") String username, @QueryParam("lockVersion") String lockVersion) {
    Long read;
    try {
      read = lockVersion == null ? null : Long.valueOf(lockVersion);
    } catch (NumberFormatException e) {
      throw RequestRefused.invalid(
          RequestRefused.LOCK_FIELD, "lockVersion must be the number the user was read with.");
    }
    return User.of(accounts.unlinkProvider(caller(), username, read));
  }

  /** The body of {@code POST /api/v1/admin/users}. */
  public record NewUser(String username, String displayName, List<String> roles) {}

  /** The body of {@code PATCH /api/v1/admin/users/{username}}; absent fields stay as they are. */
  public record Change(Long lockVersion, String displayName, List<String> roles, Boolean enabled) {}

  @GET
  @Operation(
      summary = "Search users",
      description =
          "q: part of the username or display name; role: developer or admin; enabled: true or"
              + " false; limit: at most 1000 (200 by default).")
  public List<User> search(
      @QueryParam("q") String q,
      @QueryParam("role") String role,
      @QueryParam("enabled") String enabled,
      @QueryParam("limit") String limit) {
    if (role != null && !role.isBlank() && !Set.of(Roles.DEVELOPER, Roles.ADMIN).contains(role)) {
      throw RequestRefused.invalid("role", "role must be developer or admin.");
    }
    return accounts
        .search(
            q,
            role,
            QueryParameters.bool(enabled, "enabled"),
            QueryParameters.count(limit, "limit", 200, MAX_LIMIT))
        .stream()
        .map(User::of)
        .toList();
  }

  @GET
  @Path("{username}")
  @Operation(summary = "One user")
  @APIResponse(responseCode = "404", description = "No such user")
  public User one(@PathParam("username") String username) {
    return User.of(accounts.account(username));
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Create a local user",
      description = "The answer holds a random temporary password, this once.")
  @APIResponse(responseCode = "201", description = "Created, with temporaryPassword")
  @APIResponse(responseCode = "400", description = "invalid_request, with fields at fault")
  @APIResponse(responseCode = "409", description = "username_taken")
  public Response create(NewUser body, @Context UriInfo uri) {
    if (body == null) {
      throw RequestRefused.invalid(null, "Send a JSON body with username, displayName and roles.");
    }
    NewAccount created =
        accounts.create(caller(), body.username(), body.displayName(), roles(body.roles()));
    return Response.created(uri.getAbsolutePathBuilder().path(created.account().username()).build())
        .entity(Created.of(created))
        .build();
  }

  @PATCH
  @Path("{username}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Change a user's display name, roles, or enabled flag",
      description =
          "Send the lockVersion you read. Disabling a user refuses their keys at once and removes"
              + " them from the Redis mirror; enabling brings them back.")
  @APIResponse(responseCode = "400", description = "invalid_request, with fields at fault")
  @APIResponse(responseCode = "409", description = "version_conflict or cannot_change_self")
  public User update(@PathParam("username") String username, Change body) {
    if (body == null) {
      throw RequestRefused.invalid(
          null, "Send a JSON body with lockVersion and the fields to change.");
    }
    return User.of(
        accounts.update(
            caller(),
            username,
            new AccountChange(
                body.lockVersion(),
                body.displayName(),
                body.roles() == null ? null : roles(body.roles()),
                body.enabled())));
  }

  private static Set<String> roles(List<String> roles) {
    return roles == null ? Set.of() : new HashSet<>(roles);
  }

  private String caller() {
    return security.getCallerPrincipal().getName();
  }
}
