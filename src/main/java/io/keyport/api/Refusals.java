package io.keyport.api;

import io.keyport.platform.InvalidInput;
import io.keyport.platform.RequestRefused;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

/**
 * A refused request as the API reports it: 400, 404 or 409 with the service's reason; input refused
 * in several named fields at once also lists them under {@code "fields"}.
 */
@Provider
public class Refusals implements ExceptionMapper<RequestRefused> {

  @Override
  public Response toResponse(RequestRefused refusal) {
    Map<String, String> fields =
        refusal instanceof InvalidInput invalid ? invalid.fields() : Map.of();
    return ErrorBody.of(refusal.reason().status(), refusal.error(), refusal.getMessage(), fields);
  }
}
