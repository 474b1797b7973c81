package io.keyport.api;

import io.keyport.platform.RequestRefused;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A refused request as the API reports it: 400, 404 or 409 with the service's reason. */
@Provider
public class Refusals implements ExceptionMapper<RequestRefused> {

  @Override
  public Response toResponse(RequestRefused refusal) {
    return ErrorBody.of(refusal);
  }
}
