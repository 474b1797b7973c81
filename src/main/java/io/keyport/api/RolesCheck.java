package io.keyport.api;

import jakarta.annotation.Priority;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;
import java.util.List;

/**
 * Enforces {@code @RolesAllowed} on REST resources, a second wall behind web.xml's URL constraints:
 * should a path ever slip past those (a new mapping, a path the container and JAX-RS read
 * differently), the resource itself still refuses a caller without the role. Jakarta REST leaves
 * {@code @RolesAllowed} to the implementation, and Payara's Jersey ignores it unless told, so
 * Keyport checks it here, portably, with the same JSON errors as the rest of the API.
 */
@Provider
public class RolesCheck implements DynamicFeature {

  @Override
  public void configure(ResourceInfo resource, FeatureContext context) {
    RolesAllowed allowed = resource.getResourceMethod().getAnnotation(RolesAllowed.class);
    if (allowed == null) {
      allowed = resource.getResourceClass().getAnnotation(RolesAllowed.class);
    }
    if (allowed != null) {
      context.register(new Filter(List.of(allowed.value())));
    }
  }

  @Priority(Priorities.AUTHORIZATION)
  private static final class Filter implements ContainerRequestFilter {

    private final List<String> roles;

    Filter(List<String> roles) {
      this.roles = roles;
    }

    @Override
    public void filter(ContainerRequestContext request) {
      var security = request.getSecurityContext();
      if (security == null || security.getUserPrincipal() == null) {
        request.abortWith(
            ErrorBody.of(401, "unauthorized", "Sign in first: this call needs a signed-in user."));
        return;
      }
      if (roles.stream().noneMatch(security::isUserInRole)) {
        request.abortWith(
            ErrorBody.of(
                403,
                "forbidden",
                "Your account may not do this; it needs the "
                    + String.join(" or ", roles)
                    + " role."));
      }
    }
  }
}
