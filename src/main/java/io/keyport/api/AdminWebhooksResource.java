package io.keyport.api;

import io.keyport.identity.Roles;
import io.keyport.notifications.CreatedWebhook;
import io.keyport.notifications.Deliveries;
import io.keyport.notifications.DeliveryView;
import io.keyport.notifications.EventType;
import io.keyport.notifications.WebhookDraft;
import io.keyport.notifications.WebhookView;
import io.keyport.notifications.Webhooks;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Webhook endpoints and the delivery log for administrators (docs/notifications.md): register an
 * endpoint (its signing secret is in the 201 answer only), edit it on the {@code lockVersion} read,
 * delete it; read the deliveries of every event, webhook and e-mail, and send one again.
 */
@RolesAllowed(Roles.ADMIN)
@Path("admin/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(
    name = "Admin: webhooks",
    description = "Webhook endpoints and the delivery log. Admin role only (403 otherwise).")
public class AdminWebhooksResource {

  private static final int DEFAULT_LIMIT = 100;

  @Inject private Webhooks webhooks;
  @Inject private Deliveries deliveries;
  @Inject private SecurityContext security;

  /** An endpoint; {@code secret} only in the answer that made it. */
  public record Endpoint(
      long id,
      String url,
      String description,
      List<String> eventTypes,
      boolean enabled,
      Instant createdAt,
      long lockVersion,
      String secret) {
    static Endpoint of(WebhookView view, String secret) {
      return new Endpoint(
          view.id(),
          view.url(),
          view.description(),
          view.eventTypes(),
          view.enabled(),
          view.createdAt(),
          view.lockVersion(),
          secret);
    }
  }

  /** The body of a create or an edit; {@code lockVersion} for edits, the value last read. */
  public record Input(
      String url, String description, List<String> eventTypes, Boolean enabled, Long lockVersion) {
    WebhookDraft draft() {
      return new WebhookDraft(url, description, eventTypes, enabled);
    }
  }

  @GET
  @Operation(summary = "Every webhook endpoint (without secrets)")
  public List<Endpoint> list() {
    return webhooks.all().stream().map(v -> Endpoint.of(v, null)).toList();
  }

  @GET
  @Path("event-types")
  @Operation(summary = "The event types an endpoint can subscribe to")
  public List<String> eventTypes() {
    return Arrays.stream(EventType.values()).map(EventType::wireName).toList();
  }

  @GET
  @Path("{id}")
  @Operation(summary = "One webhook endpoint, with its lockVersion")
  @APIResponse(responseCode = "404", description = "No such endpoint")
  public Endpoint one(@PathParam("id") String id) {
    return Endpoint.of(webhooks.get(endpointId(id)), null);
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Register a webhook endpoint",
      description =
          "The answer carries the endpoint's signing secret (whsec_...), this once; keep it to"
              + " verify the webhook-signature of each delivery.")
  @APIResponse(responseCode = "201", description = "Created; Location names it")
  @APIResponse(
      responseCode = "400",
      description = "invalid_request, with the fields at fault under \"fields\"")
  public Response create(Input input, @Context UriInfo uri) {
    CreatedWebhook created = webhooks.create(caller(), require(input).draft());
    return Response.created(
            uri.getAbsolutePathBuilder().path(Long.toString(created.endpoint().id())).build())
        .entity(Endpoint.of(created.endpoint(), created.secret()))
        .build();
  }

  @PUT
  @Path("{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Edit a webhook endpoint: every field, and the lockVersion last read")
  @APIResponse(responseCode = "400", description = "invalid_request")
  @APIResponse(responseCode = "404", description = "No such endpoint")
  @APIResponse(responseCode = "409", description = "version_conflict")
  public Endpoint update(@PathParam("id") String id, Input input) {
    Input given = require(input);
    return Endpoint.of(
        webhooks.update(caller(), endpointId(id), given.lockVersion(), given.draft()), null);
  }

  @DELETE
  @Path("{id}")
  @Operation(summary = "Delete a webhook endpoint and its deliveries")
  @APIResponse(responseCode = "204", description = "Deleted")
  @APIResponse(responseCode = "404", description = "No such endpoint")
  public Response delete(@PathParam("id") String id) {
    webhooks.delete(caller(), endpointId(id));
    return Response.noContent().build();
  }

  @GET
  @Path("deliveries")
  @Operation(
      summary = "The delivery log, newest first",
      description =
          "Every delivery of every event, to webhook endpoints and by e-mail: status (pending,"
              + " delivered, failed), attempts, the last response code and error, the next"
              + " attempt. Filters: status, channel (webhook, email), endpoint; limit 1-500.")
  @APIResponse(responseCode = "400", description = "invalid_request: a filter names nothing")
  public List<DeliveryView> deliveries(
      @QueryParam("status") String status,
      @QueryParam("channel") String channel,
      @QueryParam("endpoint") String endpoint,
      @QueryParam("limit") String limit) {
    Long endpointId =
        endpoint == null || endpoint.isBlank()
            ? null
            : (long) QueryParameters.count(endpoint, "endpoint", 0, Integer.MAX_VALUE);
    return deliveries.recent(
        blankToNull(status),
        blankToNull(channel),
        endpointId,
        QueryParameters.count(limit, "limit", DEFAULT_LIMIT, Deliveries.MAX_SHOWN));
  }

  @POST
  @Path("deliveries/{id}/send-again")
  @Operation(
      summary = "Send a delivery again",
      description = "Due at once, retried for another 24 hours; the same webhook-id.")
  @APIResponse(responseCode = "202", description = "Queued")
  @APIResponse(responseCode = "404", description = "No such delivery")
  public Response sendAgain(@PathParam("id") String id) {
    deliveries.sendAgain(caller(), number(id, "delivery"));
    return Response.accepted().build();
  }

  private static long endpointId(String raw) {
    return number(raw, "webhook endpoint");
  }

  private static long number(String raw, String what) {
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw RequestRefused.notFound("There is no " + what + " " + raw + ".");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static Input require(Input input) {
    if (input == null) {
      throw RequestRefused.invalid(
          null, "Send a JSON body with url and eventTypes (see /openapi).");
    }
    return input;
  }

  private String caller() {
    return security.getCallerPrincipal().getName();
  }
}
