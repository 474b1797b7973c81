package io.keyport.api;

import io.keyport.platform.RequestRefused;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * A refused request as the API reports it: 400, 404 or 409 with the service's reason. The admin API
 * also names every input field at fault; the developer API keeps SPEC §8's two fields.
 */
@Provider
public class RefusalMapper implements ExceptionMapper<RequestRefused> {

  @Context private UriInfo uri;

  @Override
  public Response toResponse(RequestRefused refusal) {
    boolean admin = uri != null && uri.getPath().replaceFirst("^/", "").startsWith("admin/");
    return ErrorBody.of(refusal, admin);
  }
}
