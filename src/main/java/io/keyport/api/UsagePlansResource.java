package io.keyport.api;

import io.keyport.api.ApiProductsResource.Plan;
import io.keyport.catalog.Catalog;
import io.keyport.identity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Every usage plan with its limits. */
@RolesAllowed({Roles.DEVELOPER, Roles.ADMIN})
@Path("usage-plans")
@Produces(MediaType.APPLICATION_JSON)
public class UsagePlansResource {

  @Inject private Catalog catalog;

  @GET
  public List<Plan> plans() {
    return Plan.all(catalog.plans());
  }
}
