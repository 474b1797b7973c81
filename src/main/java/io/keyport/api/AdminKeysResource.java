package io.keyport.api;

import io.keyport.identity.Roles;
import io.keyport.keys.AdminKeyView;
import io.keyport.keys.CreditGrant;
import io.keyport.keys.CreditsView;
import io.keyport.keys.KeyAdministration;
import io.keyport.keys.KeyChange;
import io.keyport.keys.KeyDirectory;
import io.keyport.keys.KeyFilter;
import io.keyport.keys.KeyLeaks;
import io.keyport.keys.KeyScopes;
import io.keyport.keys.KeyStatus;
import io.keyport.limits.UsageHistory;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Every user's API keys, for administrators (web.xml admits only the admin role). */
@RolesAllowed(Roles.ADMIN)
@Path("admin/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Admin: API keys", description = "Needs the admin role; 403 otherwise.")
public class AdminKeysResource {

  private static final int MAX_LIMIT = 1000;

  @Inject private KeyAdministration keys;
  @Inject private KeyDirectory directory;
  @Inject private KeyLeaks leaks;
  @Inject private UsageHistory usage;
  @Inject private SecurityContext security;

  /**
   * A key as the admin API returns it (never its value); send {@code lockVersion} with a change.
   */
  public record Key(
      UUID id,
      String name,
      String owner,
      boolean ownerEnabled,
      String apiProduct,
      String usagePlan,
      String hint,
      Map<String, String> metadata,
      Instant createdAt,
      Instant expiresAt,
      Instant lastUsedAt,
      Instant revokedAt,
      String revokedReason,
      String status,
      long lockVersion,
      KeyScopes scopes,
      CreditsView credits) {
    static Key of(AdminKeyView k) {
      return new Key(
          k.id(),
          k.name(),
          k.owner(),
          k.ownerEnabled(),
          k.product(),
          k.plan(),
          k.hint(),
          k.metadata(),
          k.createdAt(),
          k.expiresAt(),
          k.lastUsedAt(),
          k.revokedAt(),
          k.revokedReason(),
          k.status().name().toLowerCase(Locale.ROOT),
          k.lockVersion(),
          k.scopes(),
          k.credits());
    }
  }

  /** The body of {@code PATCH /api/v1/admin/api-keys/{id}}; absent fields stay as they are. */
  public record Change(
      Long lockVersion,
      String usagePlan,
      Map<String, String> metadata,
      KeyScopes scopes,
      CreditGrant credits) {}

  /** The body of {@code POST /api/v1/admin/api-keys/revocations}. */
  public record Revocation(List<String> ids, String reason) {}

  /** What a revocation did. */
  public record Revoked(List<Key> revoked) {}

  @GET
  @Operation(
      summary = "Search every user's keys, newest first",
      description =
          "user: part of the owner's username or display name; apiProduct, usagePlan: exact"
              + " names; hint: the start of the key's hint; status: active, expired or revoked;"
              + " offset, limit (at most 1000, 100 by default). X-Total-Count has the number of"
              + " matches.")
  public Response search(
      @QueryParam("user") String user,
      @QueryParam("apiProduct") String product,
      @QueryParam("usagePlan") String plan,
      @QueryParam("hint") String hint,
      @QueryParam("status") String status,
      @QueryParam("offset") String offset,
      @QueryParam("limit") String limit) {
    KeyDirectory.Page page =
        directory.search(
            new KeyFilter(user, product, plan, hint, status(status)),
            QueryParameters.count(offset, "offset", 0, Integer.MAX_VALUE),
            QueryParameters.count(limit, "limit", 100, MAX_LIMIT));
    return Response.ok(page.keys().stream().map(Key::of).toList())
        .header("X-Total-Count", page.total())
        .build();
  }

  @GET
  @Path("{id}")
  @Operation(summary = "One key, whoever holds it")
  @APIResponse(responseCode = "404", description = "No such key")
  public Key one(@PathParam("id") String id) {
    return Key.of(directory.key(KeyIds.anyones(id)));
  }

  @GET
  @Path("{id}/usage")
  @Operation(summary = "A key's metered requests: the last 24 hours and 30 days, this month")
  public UsageHistory.KeyUsage usage(@PathParam("id") String id) {
    return usage.of(directory.key(KeyIds.anyones(id)).id());
  }

  @PATCH
  @Path("{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary =
          "Move a key to another plan of its product, replace its custom metadata, set its"
              + " scopes or its credits",
      description =
          "Send the lockVersion you read. The check applies the change at once, and the Redis"
              + " mirror rewrites the key's JSON.")
  @APIResponse(responseCode = "400", description = "invalid_request, with fields at fault")
  @APIResponse(
      responseCode = "409",
      description = "version_conflict, key_revoked or key_limit_reached")
  public Key change(@PathParam("id") String id, String json) {
    PatchBody<Change> patch = PatchBody.read(json, Change.class);
    if (patch == null) {
      throw RequestRefused.invalid(
          null,
          "Send a JSON body with lockVersion and any of usagePlan, metadata, scopes and credits.");
    }
    Change body = patch.value();
    return Key.of(
        keys.change(
            caller(),
            KeyIds.anyones(id),
            new KeyChange(
                body.lockVersion(),
                body.usagePlan(),
                body.metadata(),
                body.scopes(),
                patch.has("credits"),
                body.credits())));
  }

  @POST
  @Path("{id}/leaked")
  @Operation(
      summary = "Report a key as leaked",
      description =
          "The key is revoked at once, audited as api_key.leaked, and its owner is told"
              + " (key.leaked: webhooks and e-mail).")
  @APIResponse(responseCode = "404", description = "No such key")
  @APIResponse(responseCode = "409", description = "already_revoked")
  public Key leaked(@PathParam("id") String id) {
    return Key.of(leaks.reportedByAdmin(caller(), KeyIds.anyones(id)));
  }

  @POST
  @Path("revocations")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Revoke one or many keys, with a reason",
      description = "All or nothing: an unknown or already revoked key revokes none.")
  @APIResponse(responseCode = "400", description = "invalid_request, with fields at fault")
  @APIResponse(responseCode = "404", description = "A key does not exist")
  @APIResponse(responseCode = "409", description = "already_revoked")
  public Revoked revoke(Revocation body) {
    if (body == null) {
      throw RequestRefused.invalid(null, "Send a JSON body with ids and reason.");
    }
    List<UUID> ids = new ArrayList<>();
    if (body.ids() != null) {
      for (String id : body.ids()) {
        ids.add(KeyIds.anyones(id));
      }
    }
    return new Revoked(keys.revoke(caller(), ids, body.reason()).stream().map(Key::of).toList());
  }

  private static KeyStatus status(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      return KeyStatus.valueOf(raw.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw RequestRefused.invalid("status", "status must be active, expired or revoked.");
    }
  }

  private String caller() {
    return security.getCallerPrincipal().getName();
  }
}
