package io.keyport.api;

import io.keyport.identity.Passwords;
import io.keyport.identity.Roles;
import io.keyport.identity.SignedIn;
import io.keyport.identity.UserView;
import io.keyport.identity.Users;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Who the caller is. */
@RolesAllowed({Roles.DEVELOPER, Roles.ADMIN})
@Path("me")
@Produces(MediaType.APPLICATION_JSON)
public class MeResource {

  @Inject private SecurityContext security;
  @Inject private Users users;

  /** The caller, as {@code GET /api/v1/me} returns them. */
  public record Me(String username, String displayName, List<String> roles) {}

  /** The body of {@code POST /api/v1/me/password}. */
  public record PasswordChange(String currentPassword, String newPassword) {
    @Override
    public String toString() {
      return "PasswordChange[(not shown)]";
    }
  }

  /**
   * Changes the caller's own password: 204, and every other session of theirs ends; 400 with the
   * field at fault for a wrong current password or a new one that breaks the rules.
   */
  @POST
  @Path("password")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Change your password",
      description =
          "Local users only. The new password has at least "
              + Passwords.MIN_LENGTH
              + " characters. A temporary password must be changed here (or on the profile page)"
              + " before any other call answers.")
  @APIResponse(responseCode = "204", description = "Changed; your other sessions have ended")
  @APIResponse(
      responseCode = "400",
      description =
          "invalid_request (fields at fault), wrong_password, password_unchanged,"
              + " no_local_password")
  public Response changePassword(PasswordChange body, @Context HttpServletRequest request) {
    if (body == null) {
      throw RequestRefused.invalid(null, "Send a JSON body with currentPassword and newPassword.");
    }
    String username = security.getCallerPrincipal().getName();
    users.changePassword(username, chars(body.currentPassword()), chars(body.newPassword()));
    SignedIn.renew(request, username);
    return Response.noContent().build();
  }

  /** The caller's e-mail choice: whether they get the optional notices (docs/notifications.md). */
  public record MailChoice(Boolean optionalMail) {}

  @GET
  @Path("mail")
  @Operation(summary = "Whether you get the optional notification e-mails")
  public MailChoice mailChoice() {
    return new MailChoice(
        users.signedInAs(security.getCallerPrincipal().getName()).isOptionalMail());
  }

  @PUT
  @Path("mail")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Turn the optional notification e-mails on or off",
      description =
          "Optional: key created, expiring, expired, quota thresholds. A revocation by an"
              + " administrator is mailed either way.")
  @APIResponse(responseCode = "200", description = "The choice as it now is")
  @APIResponse(responseCode = "400", description = "invalid_request: optionalMail missing")
  public MailChoice chooseMail(MailChoice body) {
    if (body == null || body.optionalMail() == null) {
      throw RequestRefused.invalid(
          "optionalMail", "Send {\"optionalMail\": true} or {\"optionalMail\": false}.");
    }
    users.chooseOptionalMail(security.getCallerPrincipal().getName(), body.optionalMail());
    return mailChoice();
  }

  private static char[] chars(String text) {
    return text == null ? null : text.toCharArray();
  }

  @GET
  public Me me() {
    UserView user = users.signedInAs(security.getCallerPrincipal().getName()).view();
    return new Me(user.username(), user.displayName(), List.copyOf(user.roles()));
  }
}
