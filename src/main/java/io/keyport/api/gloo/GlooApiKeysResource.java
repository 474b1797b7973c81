package io.keyport.api.gloo;

import io.keyport.api.KeyIds;
import io.keyport.identity.Roles;
import io.keyport.keys.ApiKeys;
import io.keyport.keys.CreatedKey;
import io.keyport.keys.KeyView;
import io.keyport.keys.NewKey;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The caller's API keys as Gloo Portal's front end manages them: grouped by usage plan, made for a
 * plan (a plan-wide key) or for one API of it, deleted. Another user's key does not exist here.
 */
@RolesAllowed({Roles.DEVELOPER, Roles.ADMIN})
@Path("api-keys")
@Produces(MediaType.APPLICATION_JSON)
public class GlooApiKeysResource {

  @Inject private ApiKeys keys;
  @Inject private SecurityContext security;

  /**
   * A key as Gloo shows it; {@code metadata} is what Gloo keeps with a key (its name, plan, owner,
   * product when it has one, creation time) and the key's own entries. Never the value.
   */
  public record ApiKey(String id, String name, Map<String, String> metadata) {
    static ApiKey of(KeyView key, String owner) {
      return new ApiKey(key.id().toString(), key.name(), GlooApiKeysResource.metadata(key, owner));
    }
  }

  /** The caller's keys on one plan. */
  public record PlanKeys(String usagePlan, List<ApiKey> apiKeys) {}

  /** {@code POST /v1/api-keys}; without {@code apiProductId} the key is plan-wide. */
  public record Request(String usagePlan, String apiKeyName, String apiProductId) {}

  /** A key just made, and this once its value. */
  public record Created(String id, String name, String apiKey, Map<String, String> metadata) {
    @Override
    public String toString() {
      return "Created[id=" + id + ", apiKey=(not shown)]";
    }
  }

  /**
   * The caller's keys by plan: one group per plan named in {@code usagePlans} (comma-separated,
   * each listed even without keys), or per plan the caller holds keys on when it is absent.
   */
  @GET
  public List<PlanKeys> list(@QueryParam("usagePlans") String usagePlans) {
    Map<String, List<ApiKey>> byPlan = new LinkedHashMap<>();
    if (usagePlans != null) {
      Arrays.stream(usagePlans.split(","))
          .map(String::strip)
          .filter(plan -> !plan.isEmpty())
          .forEach(plan -> byPlan.putIfAbsent(plan, new ArrayList<>()));
    }
    boolean named = !byPlan.isEmpty();
    String caller = caller();
    for (KeyView key : keys.keysOf(caller)) {
      List<ApiKey> group =
          named
              ? byPlan.get(key.plan())
              : byPlan.computeIfAbsent(key.plan(), plan -> new ArrayList<>());
      if (group != null) {
        group.add(ApiKey.of(key, caller));
      }
    }
    return byPlan.entrySet().stream()
        .map(e -> new PlanKeys(e.getKey(), List.copyOf(e.getValue())))
        .toList();
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(Request request) {
    if (request == null) {
      throw RequestRefused.invalid(
          null, "Send a JSON body with usagePlan, apiKeyName and, for one API only, apiProductId.");
    }
    String caller = caller();
    CreatedKey created =
        keys.create(
            caller,
            new NewKey(
                request.apiKeyName(), request.apiProductId(), request.usagePlan(), Map.of(), null));
    KeyView key = created.key();
    return Response.status(Response.Status.CREATED)
        .entity(
            new Created(key.id().toString(), key.name(), created.value(), metadata(key, caller)))
        .build();
  }

  @DELETE
  @Path("{id}")
  public Response delete(@PathParam("id") String id) {
    keys.delete(caller(), KeyIds.callers(id));
    return Response.noContent().build();
  }

  private static Map<String, String> metadata(KeyView key, String owner) {
    Map<String, String> metadata = new TreeMap<>(key.metadata());
    metadata.put("name", key.name());
    metadata.put("usagePlan", key.plan());
    metadata.put("username", owner);
    if (key.product() != null) {
      metadata.put("apiProduct", key.product());
    }
    metadata.put("created-ts-unix", Long.toString(key.createdAt().getEpochSecond()));
    return metadata;
  }

  private String caller() {
    return security.getCallerPrincipal().getName();
  }
}
