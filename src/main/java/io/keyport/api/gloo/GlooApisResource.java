package io.keyport.api.gloo;

import io.keyport.catalog.Catalog;
import io.keyport.catalog.OpenApiDocuments;
import io.keyport.catalog.PlanView;
import io.keyport.catalog.ProductView;
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
import java.util.Map;

/**
 * {@code GET /v1/apis} and each API's schema. Keyport's API product is Gloo's API: one per product,
 * its {@code apiId} the product's slug.
 */
@RolesAllowed({Roles.DEVELOPER, Roles.ADMIN})
@Path("apis")
@Produces(MediaType.APPLICATION_JSON)
public class GlooApisResource {

  @Inject private Catalog catalog;

  /**
   * An API as Gloo's front end lists it: title, contact, license and terms of service from the
   * product's OpenAPI {@code info} (empty without a document), {@code customMetadata} from the
   * product's metadata.
   */
  public record Api(
      String apiId,
      String apiProductId,
      String apiProductDisplayName,
      String apiVersion,
      String title,
      String description,
      String contact,
      String license,
      String termsOfService,
      Map<String, String> customMetadata,
      List<String> usagePlans) {

    static Api of(ProductView product, OpenApiDocuments.Info info) {
      return new Api(
          product.slug(),
          product.slug(),
          product.displayName(),
          product.version() == null ? "" : product.version(),
          info.title().isEmpty() ? product.displayName() : info.title(),
          product.description() == null ? "" : product.description(),
          info.contact(),
          info.license(),
          info.termsOfService(),
          product.metadata(),
          product.plans().stream().map(PlanView::name).toList());
    }
  }

  @GET
  public List<Api> apis() {
    return catalog.products().stream()
        .map(
            p ->
                Api.of(
                    p,
                    p.hasSchema()
                        ? OpenApiDocuments.info(catalog.schema(p.slug()).orElse(null))
                        : OpenApiDocuments.Info.NONE))
        .toList();
  }

  /** The API's OpenAPI document as JSON, whether it was uploaded as JSON or YAML. */
  @GET
  @Path("{apiId}/schema")
  public Response schema(@PathParam("apiId") String apiId) {
    if (catalog.product(apiId).isEmpty()) {
      throw RequestRefused.notFound("There is no API '" + apiId + "'. See GET /v1/apis.");
    }
    String document =
        catalog
            .schema(apiId)
            .orElseThrow(
                () -> RequestRefused.notFound("The API '" + apiId + "' has no OpenAPI document."));
    return Response.ok(OpenApiDocuments.asJson(document), MediaType.APPLICATION_JSON).build();
  }
}
