package io.keyport.api;

import io.keyport.catalog.ManagedPlan;
import io.keyport.catalog.PlanDraft;
import io.keyport.catalog.PlanView;
import io.keyport.catalog.UsagePlans;
import io.keyport.identity.Roles;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Usage plans for administrators (web.xml admits only the admin role): list, read, create, edit. A
 * changed limit applies to existing keys at once. Edits send back the {@code lockVersion} they
 * read; a stale one gets 409.
 */
@RolesAllowed(Roles.ADMIN)
@Path("admin/usage-plans")
@Produces(MediaType.APPLICATION_JSON)
@Tag(
    name = "Admin: usage plans",
    description = "Create and edit usage plans. Admin role only (403 otherwise).")
public class AdminUsagePlansResource {

  @Inject private UsagePlans plans;
  @Inject private SecurityContext security;

  /** {@code requestsPerUnit} requests per {@code unit} (SECOND, MINUTE, HOUR or DAY). */
  public record RateLimit(Integer requestsPerUnit, String unit) {}

  /** A plan with its limits, where it is used, and {@code lockVersion} to send back. */
  public record Plan(
      String name,
      String displayName,
      String description,
      RateLimit rateLimit,
      Long monthlyQuota,
      Integer maxKeysPerUser,
      List<String> apiProducts,
      long liveKeys,
      boolean nameLocked,
      Instant updatedAt,
      long lockVersion) {
    static Plan of(ManagedPlan managed) {
      PlanView p = managed.plan();
      return new Plan(
          p.name(),
          p.displayName(),
          p.description(),
          p.limited() ? new RateLimit(p.requestsPerUnit(), p.unit().name()) : null,
          p.monthlyQuota(),
          p.maxKeysPerUser(),
          managed.products(),
          managed.liveKeys(),
          managed.nameLocked(),
          managed.updatedAt(),
          managed.lockVersion());
    }
  }

  /**
   * The body of a create or an edit; {@code rateLimit} null means no rate limit, {@code
   * lockVersion} (edits only) is the value last read.
   */
  public record Input(
      String name,
      String displayName,
      String description,
      RateLimit rateLimit,
      Long monthlyQuota,
      Integer maxKeysPerUser,
      Long lockVersion) {
    PlanDraft draft() {
      return new PlanDraft(
          name,
          displayName,
          description,
          rateLimit == null ? null : rateLimit.requestsPerUnit(),
          rateLimit == null ? null : rateLimit.unit(),
          monthlyQuota,
          maxKeysPerUser);
    }
  }

  @GET
  @Operation(summary = "Every usage plan, with the products that offer it")
  public List<Plan> list() {
    return plans.all().stream().map(Plan::of).toList();
  }

  @GET
  @Path("{name}")
  @Operation(summary = "One usage plan, with its lockVersion")
  @APIResponse(responseCode = "200", description = "The plan")
  @APIResponse(responseCode = "404", description = "No such plan")
  public Plan one(@PathParam("name") String name) {
    return Plan.of(plans.get(name));
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Create a usage plan")
  @APIResponse(responseCode = "201", description = "Created; Location names it")
  @APIResponse(
      responseCode = "400",
      description = "invalid_request, with the fields at fault under \"fields\"")
  @APIResponse(responseCode = "409", description = "name_taken")
  public Response create(Input input, @Context UriInfo uri) {
    ManagedPlan created = plans.create(caller(), require(input).draft());
    return Response.created(uri.getAbsolutePathBuilder().path(created.name()).build())
        .entity(Plan.of(created))
        .build();
  }

  @PUT
  @Path("{name}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Edit a usage plan: every field, and the lockVersion last read",
      description = "A new limit applies to the plan's existing keys on their next request.")
  @APIResponse(responseCode = "200", description = "The plan as it now is")
  @APIResponse(
      responseCode = "400",
      description = "invalid_request, with the fields at fault under \"fields\"")
  @APIResponse(responseCode = "404", description = "No such plan")
  @APIResponse(
      responseCode = "409",
      description =
          "version_conflict (someone else changed it since lockVersion), name_locked (keys were"
              + " made on it), or name_taken")
  public Plan update(@PathParam("name") String name, Input input) {
    Input given = require(input);
    return Plan.of(plans.update(caller(), name, given.lockVersion(), given.draft()));
  }

  private static Input require(Input input) {
    if (input == null) {
      throw RequestRefused.invalid(
          null, "Send a JSON body with name, displayName and rateLimit (see /openapi).");
    }
    return input;
  }

  private String caller() {
    return security.getCallerPrincipal().getName();
  }
}
