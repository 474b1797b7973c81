package io.keyport.api.gloo;

import io.keyport.catalog.Catalog;
import io.keyport.catalog.PlanView;
import io.keyport.catalog.ProductView;
import io.keyport.identity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/usage-plans}: the plans live products offer, each with the APIs offering it. */
@RolesAllowed({Roles.DEVELOPER, Roles.ADMIN})
@Path("usage-plans")
@Produces(MediaType.APPLICATION_JSON)
public class GlooUsagePlansResource {

  @Inject private Catalog catalog;

  public record AuthPolicy(String authType) {}

  public record RateLimitPolicy(String unit, int requestsPerUnit) {}

  /** Gloo's usage plan; {@code rateLimitPolicy} is left out for a plan without a rate limit. */
  public record UsagePlan(
      String name,
      List<AuthPolicy> authPolicies,
      RateLimitPolicy rateLimitPolicy,
      List<String> apiIds) {}

  private static final List<AuthPolicy> API_KEY = List.of(new AuthPolicy("apiKey"));

  @GET
  public List<UsagePlan> usagePlans() {
    Map<String, PlanView> plans = new LinkedHashMap<>();
    Map<String, List<String>> apis = new LinkedHashMap<>();
    for (ProductView product : catalog.products()) {
      for (PlanView plan : product.plans()) {
        plans.putIfAbsent(plan.name(), plan);
        apis.computeIfAbsent(plan.name(), name -> new ArrayList<>()).add(product.slug());
      }
    }
    return plans.values().stream()
        .map(
            plan ->
                new UsagePlan(
                    plan.name(),
                    API_KEY,
                    plan.limited()
                        ? new RateLimitPolicy(plan.unit().name(), plan.requestsPerUnit())
                        : null,
                    List.copyOf(apis.get(plan.name()))))
        .toList();
  }
}
