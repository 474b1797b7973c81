package io.keyport.api;

import io.keyport.catalog.Catalog;
import io.keyport.catalog.PlanView;
import io.keyport.catalog.ProductView;
import io.keyport.catalog.RateUnit;
import io.keyport.identity.Roles;
import io.keyport.platform.RequestRefused;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** The catalogue: API products with their plans, and each product's OpenAPI document. */
@RolesAllowed({Roles.DEVELOPER, Roles.ADMIN})
@Path("api-products")
@Produces(MediaType.APPLICATION_JSON)
public class ApiProductsResource {

  @Inject private Catalog catalog;

  /** An API product as the API returns it; {@code id} is its slug. */
  public record Product(
      String id, String displayName, String description, String version, List<Plan> usagePlans) {
    static Product of(ProductView p) {
      return new Product(
          p.slug(), p.displayName(), p.description(), p.version(), Plan.all(p.plans()));
    }
  }

  /** A usage plan; {@code rateLimit} is null for a plan without one. */
  public record Plan(
      String name,
      String displayName,
      String description,
      RateLimit rateLimit,
      Long monthlyQuota,
      Integer maxKeysPerUser) {
    static Plan of(PlanView p) {
      return new Plan(
          p.name(),
          p.displayName(),
          p.description(),
          p.limited() ? new RateLimit(p.requestsPerUnit(), p.unit()) : null,
          p.monthlyQuota(),
          p.maxKeysPerUser());
    }

    static List<Plan> all(List<PlanView> plans) {
      return plans.stream().map(Plan::of).toList();
    }
  }

  /** {@code requestsPerUnit} requests per {@code unit}. */
  public record RateLimit(int requestsPerUnit, RateUnit unit) {}

  @GET
  public List<Product> products() {
    return catalog.products().stream().map(Product::of).toList();
  }

  /** The document as it was uploaded: JSON as application/json, YAML as application/yaml. */
  @GET
  @Path("{id}/schema")
  @Produces({MediaType.APPLICATION_JSON, "application/yaml"})
  public Response schema(@PathParam("id") String id) {
    if (catalog.product(id).isEmpty()) {
      throw RequestRefused.notFound("There is no API product '" + id + "'.");
    }
    String document =
        catalog
            .schema(id)
            .orElseThrow(
                () ->
                    RequestRefused.notFound(
                        "The API product '" + id + "' has no OpenAPI document."));
    return Response.ok(document)
        .type(document.startsWith("{") ? MediaType.APPLICATION_JSON : "application/yaml")
        .build();
  }
}
