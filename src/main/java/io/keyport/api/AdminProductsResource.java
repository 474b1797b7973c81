package io.keyport.api;

import io.keyport.catalog.ManagedProduct;
import io.keyport.catalog.ProductDraft;
import io.keyport.catalog.Products;
import io.keyport.catalog.Retirement;
import io.keyport.catalog.RouteView;
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
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * API products for administrators (web.xml admits only the admin role): list, read, create, edit,
 * retire. Edits send back the {@code lockVersion} they read; a stale one gets 409.
 */
@RolesAllowed(Roles.ADMIN)
@Path("admin/api-products")
@Produces(MediaType.APPLICATION_JSON)
@Tag(
    name = "Admin: API products",
    description = "Create, edit and retire API products. Admin role only (403 otherwise).")
public class AdminProductsResource {

  @Inject private Products products;
  @Inject private SecurityContext security;

  /** A route; {@code host} null and {@code methods} empty match any. */
  public record Route(String host, String pathPrefix, List<String> methods) {
    static Route of(RouteView r) {
      return new Route(
          r.host(),
          r.pathPrefix(),
          r.methods() == null ? List.of() : List.of(r.methods().split(",")));
    }
  }

  /** A product in the admin list; {@code id} is its slug. */
  public record Summary(
      String id,
      String displayName,
      String version,
      List<Route> routes,
      List<String> usagePlans,
      boolean hasOpenapi,
      String status,
      Instant retiredAt,
      long liveKeys,
      long lockVersion) {
    static Summary of(ManagedProduct p) {
      return new Summary(
          p.slug(),
          p.product().displayName(),
          p.product().version(),
          p.product().routes().stream().map(Route::of).toList(),
          p.planNames(),
          p.openapi() != null,
          p.retired() ? "retired" : "live",
          p.retiredAt(),
          p.liveKeys(),
          p.lockVersion());
    }
  }

  /** A product with everything an edit can change, and {@code lockVersion} to send back. */
  public record Product(
      String id,
      String displayName,
      String description,
      String version,
      List<Route> routes,
      List<String> usagePlans,
      String openapi,
      Map<String, String> metadata,
      String status,
      Instant retiredAt,
      Instant updatedAt,
      long liveKeys,
      boolean slugLocked,
      long lockVersion) {
    static Product of(ManagedProduct p) {
      return new Product(
          p.slug(),
          p.product().displayName(),
          p.product().description(),
          p.product().version(),
          p.product().routes().stream().map(Route::of).toList(),
          p.planNames(),
          p.openapi(),
          p.product().metadata(),
          p.retired() ? "retired" : "live",
          p.retiredAt(),
          p.updatedAt(),
          p.liveKeys(),
          p.slugLocked(),
          p.lockVersion());
    }
  }

  /**
   * The body of a create or an edit: {@code id} is the slug; {@code openapi} the OpenAPI 3 document
   * as JSON or YAML text; {@code metadata} key/value pairs (absent: none); {@code lockVersion}
   * (edits only) the value last read.
   */
  public record Input(
      String id,
      String displayName,
      String description,
      String version,
      List<Route> routes,
      List<String> usagePlans,
      String openapi,
      Map<String, String> metadata,
      Long lockVersion) {
    ProductDraft draft() {
      return new ProductDraft(
          id,
          displayName,
          description,
          version,
          routes == null
              ? null
              : routes.stream()
                  .map(
                      r ->
                          r == null
                              ? null
                              : new ProductDraft.RouteDraft(r.host(), r.pathPrefix(), r.methods()))
                  .toList(),
          usagePlans,
          openapi,
          metadata);
    }
  }

  /** What retiring did. */
  public record Retired(String id, Instant retiredAt, long keysRevoked) {
    static Retired of(Retirement r) {
      return new Retired(r.slug(), r.retiredAt(), r.keysRevoked());
    }
  }

  @GET
  @Operation(summary = "Every API product, retired ones last")
  public List<Summary> list() {
    return products.all().stream().map(Summary::of).toList();
  }

  @GET
  @Path("{id}")
  @Operation(summary = "One API product, with its OpenAPI document and lockVersion")
  @APIResponse(responseCode = "200", description = "The product")
  @APIResponse(responseCode = "404", description = "No such product")
  public Product one(@PathParam("id") String id) {
    return Product.of(products.get(id));
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Create an API product")
  @APIResponse(responseCode = "201", description = "Created; Location names it")
  @APIResponse(
      responseCode = "400",
      description = "invalid_request, with the fields at fault under \"fields\"")
  @APIResponse(
      responseCode = "409",
      description = "slug_taken, or route_conflict naming the product that has the route")
  public Response create(Input input, @Context UriInfo uri) {
    ManagedProduct created = products.create(caller(), require(input).draft());
    return Response.created(uri.getAbsolutePathBuilder().path(created.slug()).build())
        .entity(Product.of(created))
        .build();
  }

  @PUT
  @Path("{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Edit an API product: every field, and the lockVersion last read")
  @APIResponse(responseCode = "200", description = "The product as it now is")
  @APIResponse(
      responseCode = "400",
      description = "invalid_request, with the fields at fault under \"fields\"")
  @APIResponse(responseCode = "404", description = "No such product")
  @APIResponse(
      responseCode = "409",
      description =
          "version_conflict (someone else changed it since lockVersion), slug_locked (keys exist),"
              + " slug_taken, route_conflict, or retired")
  public Product update(@PathParam("id") String id, Input input) {
    Input given = require(input);
    return Product.of(products.update(caller(), id, given.lockVersion(), given.draft()));
  }

  @POST
  @Path("{id}/retire")
  @Operation(
      summary = "Retire an API product",
      description =
          "Takes it off the catalogue for good and revokes its live keys at once, in one"
              + " transaction with their audit events.")
  @APIResponse(responseCode = "200", description = "Retired; says how many keys were revoked")
  @APIResponse(responseCode = "404", description = "No such product")
  @APIResponse(responseCode = "409", description = "retired already")
  public Retired retire(@PathParam("id") String id) {
    return Retired.of(products.retire(caller(), id));
  }

  private static Input require(Input input) {
    if (input == null) {
      throw RequestRefused.invalid(
          null, "Send a JSON body with id, displayName, routes and usagePlans (see /openapi).");
    }
    return input;
  }

  private String caller() {
    return security.getCallerPrincipal().getName();
  }
}
