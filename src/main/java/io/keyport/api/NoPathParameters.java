package io.keyport.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import java.util.Locale;

/**
 * No {@code ;} path parameters on the REST API (400), checked by JAX-RS itself before it matches a
 * resource: {@link ApiRequestRules} refuses them as the servlet container reports the path, this as
 * JAX-RS reads it, so neither reading of a path like {@code /api/v1/admin;x=y/users} gets past.
 */
@Provider
@PreMatching
public class NoPathParameters implements ContainerRequestFilter {

  @Override
  public void filter(ContainerRequestContext request) {
    String raw = request.getUriInfo().getRequestUri().getRawPath();
    if (raw.indexOf(';') >= 0 || raw.toLowerCase(Locale.ROOT).contains("%3b")) {
      request.abortWith(
          ErrorBody.of(
              400,
              "invalid_path",
              "Keyport's API takes no ';' in a path (no path parameters). Send the path without"
                  + " it."));
    }
  }
}
