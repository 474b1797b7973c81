package io.keyport.api;

import io.keyport.identity.Roles;
import io.keyport.keys.ApiKeys;
import io.keyport.keys.CreatedKey;
import io.keyport.keys.CreditGrant;
import io.keyport.keys.CreditsView;
import io.keyport.keys.KeyEdit;
import io.keyport.keys.KeyLeaks;
import io.keyport.keys.KeyScopes;
import io.keyport.keys.KeyView;
import io.keyport.keys.KubernetesSecret;
import io.keyport.keys.NewKey;
import io.keyport.keys.RolledKey;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** The caller's own API keys. Other users' keys do not exist here: their ids answer 404. */
@RolesAllowed({Roles.DEVELOPER, Roles.ADMIN})
@Path("api-keys")
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeysResource {

  @Inject private ApiKeys keys;
  @Inject private KeyLeaks leaks;
  @Inject private SecurityContext security;

  /** A key as the API returns it; never its value. */
  public record Key(
      UUID id,
      String name,
      String apiProduct,
      String usagePlan,
      String hint,
      Map<String, String> metadata,
      Instant createdAt,
      Instant expiresAt,
      Instant lastUsedAt,
      String status,
      List<String> allowedCidrs,
      KeyScopes scopes,
      CreditsView credits) {
    static Key of(KeyView k) {
      return new Key(
          k.id(),
          k.name(),
          k.product(),
          k.plan(),
          k.hint(),
          k.metadata(),
          k.createdAt(),
          k.expiresAt(),
          k.lastUsedAt(),
          k.status().name().toLowerCase(Locale.ROOT),
          k.allowedCidrs(),
          k.scopes(),
          k.credits());
    }
  }

  /** A key just created: the fields of {@link Key} and, this once, its value. */
  public record Created(
      UUID id,
      String name,
      String apiProduct,
      String usagePlan,
      String hint,
      Map<String, String> metadata,
      Instant createdAt,
      Instant expiresAt,
      Instant lastUsedAt,
      String status,
      List<String> allowedCidrs,
      String apiKey) {
    static Created of(CreatedKey created) {
      Key k = Key.of(created.key());
      return new Created(
          k.id(),
          k.name(),
          k.apiProduct(),
          k.usagePlan(),
          k.hint(),
          k.metadata(),
          k.createdAt(),
          k.expiresAt(),
          k.lastUsedAt(),
          k.status(),
          k.allowedCidrs(),
          created.value());
    }

    @Override
    public String toString() {
      return "Created[id=" + id + ", apiKey=(not shown)]";
    }
  }

  /** The body of {@code POST /api/v1/api-keys}. */
  public record Request(
      String apiKeyName,
      String apiProduct,
      String usagePlan,
      Map<String, String> metadata,
      Instant expiresAt) {}

  @GET
  public List<Key> list() {
    return keys.keysOf(caller()).stream().map(Key::of).toList();
  }

  @GET
  @Path("{id}")
  public Key one(@PathParam("id") String id) {
    return Key.of(keys.keyOf(caller(), KeyIds.callers(id)));
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces({MediaType.APPLICATION_JSON, KubernetesSecret.MEDIA_TYPE})
  public Response create(Request request, @Context UriInfo uri, @Context HttpHeaders headers) {
    if (request == null) {
      throw RequestRefused.invalid(
          null, "Send a JSON body with apiKeyName, apiProduct and usagePlan.");
    }
    CreatedKey created =
        keys.create(
            caller(),
            new NewKey(
                request.apiKeyName(),
                request.apiProduct(),
                request.usagePlan(),
                request.metadata(),
                request.expiresAt()));
    Response.ResponseBuilder answer =
        Response.created(uri.getAbsolutePathBuilder().path(created.key().id().toString()).build());
    return wantsSecret(headers)
        ? answer
            .type(KubernetesSecret.MEDIA_TYPE)
            .entity(KubernetesSecret.yaml(created.key(), caller(), created.value()))
            .build()
        : answer.type(MediaType.APPLICATION_JSON).entity(Created.of(created)).build();
  }

  /** The body of {@code POST /api/v1/api-keys/{id}/roll}. */
  public record Roll(Long gracePeriodSeconds) {}

  /** A key just rolled: its new value this once, and until when the previous one passes. */
  public record Rolled(UUID id, String apiKey, String hint, Instant previousValidUntil) {
    @Override
    public String toString() {
      return "Rolled[id=" + id + ", apiKey=(not shown)]";
    }
  }

  /** Gives the key a new value; the old one passes for {@code gracePeriodSeconds} more. */
  @POST
  @Path("{id}/roll")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces({MediaType.APPLICATION_JSON, KubernetesSecret.MEDIA_TYPE})
  public Response roll(
      @PathParam("id") String id, Roll roll, @Context UriInfo uri, @Context HttpHeaders headers) {
    UUID key = KeyIds.callers(id);
    if (roll == null) {
      throw RequestRefused.invalid(
          "gracePeriodSeconds",
          "Send a JSON body {\"gracePeriodSeconds\": n}, n from 0 (the old value stops at once)"
              + " to 2592000 (30 days).");
    }
    RolledKey rolled = keys.roll(caller(), key, roll.gracePeriodSeconds());
    Response.ResponseBuilder answer =
        Response.created(uri.getBaseUriBuilder().path("api-keys").path(key.toString()).build());
    return wantsSecret(headers)
        ? answer
            .type(KubernetesSecret.MEDIA_TYPE)
            .entity(KubernetesSecret.yaml(rolled.key(), caller(), rolled.value()))
            .build()
        : answer
            .type(MediaType.APPLICATION_JSON)
            .entity(
                new Rolled(key, rolled.value(), rolled.key().hint(), rolled.previousValidUntil()))
            .build();
  }

  /** While a roll's grace runs: the previous value's hint and until when it passes; else 404. */
  public record Previous(String hint, Instant validUntil) {}

  @GET
  @Path("{id}/previous")
  public Previous previous(@PathParam("id") String id) {
    UUID key = KeyIds.callers(id);
    return keys.rollingOf(caller(), key)
        .map(rolling -> new Previous(rolling.previousHint(), rolling.previousValidUntil()))
        .orElseThrow(
            () ->
                RequestRefused.notFound("Key " + id + " has no previous value that still passes."));
  }

  /** Ends a roll's grace now: the previous value is refused from this moment on. */
  @DELETE
  @Path("{id}/previous")
  public Response endGrace(@PathParam("id") String id) {
    keys.endGrace(caller(), KeyIds.callers(id));
    return Response.noContent().build();
  }

  /** A Kubernetes Secret is answered only to a client that asks for YAML by name. */
  private static boolean wantsSecret(HttpHeaders headers) {
    for (MediaType type : headers.getAcceptableMediaTypes()) {
      if (type.isWildcardType() || type.isWildcardSubtype()) {
        continue;
      }
      return type.isCompatible(MediaType.valueOf(KubernetesSecret.MEDIA_TYPE));
    }
    return false;
  }

  /**
   * The body of {@code PATCH /api/v1/api-keys/{id}}: any of these; absent ones stay. {@code
   * "credits": null} removes the credit limit (an administrator's call only).
   */
  public record Change(
      String name,
      Instant expiresAt,
      List<String> allowedCidrs,
      KeyScopes scopes,
      CreditGrant credits) {}

  /**
   * Renames the key, moves its expiry, sets its IP allowlist ({@code []}: any address) or its
   * scopes ({@code {"methods":[],"pathPrefixes":[]}}: not narrowed); an administrator also its
   * credits.
   */
  @PATCH
  @Path("{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  public Key change(@PathParam("id") String id, String body) {
    PatchBody<Change> patch = PatchBody.read(body, Change.class);
    if (patch == null) {
      throw RequestRefused.invalid(
          null, "Send a JSON body with any of name, expiresAt, allowedCidrs, scopes and credits.");
    }
    Change change = patch.value();
    return Key.of(
        keys.edit(
            caller(),
            KeyIds.callers(id),
            new KeyEdit(
                change.name(),
                change.expiresAt(),
                change.allowedCidrs(),
                change.scopes(),
                patch.has("credits"),
                change.credits()),
            security.isCallerInRole(Roles.ADMIN)));
  }

  /** Reports the key as leaked: revoked at once, audited, and announced as key.leaked. */
  @POST
  @Path("{id}/leaked")
  public Key leaked(@PathParam("id") String id) {
    return Key.of(leaks.reportedByOwner(caller(), KeyIds.callers(id)));
  }

  @DELETE
  @Path("{id}")
  public Response delete(@PathParam("id") String id) {
    keys.delete(caller(), KeyIds.callers(id));
    return Response.noContent().build();
  }

  private String caller() {
    return security.getCallerPrincipal().getName();
  }
}
