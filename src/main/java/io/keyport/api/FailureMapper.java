package io.keyport.api;

import io.keyport.platform.RequestRefused;
import jakarta.json.bind.JsonbException;
import jakarta.persistence.OptimisticLockException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Everything else the API can fail with, in the same JSON shape: unreadable bodies and unknown
 * paths keep their HTTP status; anything unexpected is a 500 that names a log reference instead of
 * a stack trace.
 */
@Provider
public class FailureMapper implements ExceptionMapper<Throwable> {

  private static final Logger LOG = Logger.getLogger(FailureMapper.class.getName());

  @Override
  public Response toResponse(Throwable failure) {
    if (failure instanceof WebApplicationException web) {
      int status = web.getResponse().getStatus();
      if (status == 400 || hasCause(failure, JsonbException.class)) {
        return invalidBody();
      }
      return ErrorBody.of(status, word(status), web.getMessage());
    }
    if (failure instanceof ProcessingException || hasCause(failure, JsonbException.class)) {
      return invalidBody();
    }
    if (hasCause(failure, OptimisticLockException.class)) {
      // Two writers committed at once; the services catch the usual case before this.
      return ErrorBody.of(RequestRefused.versionConflict("this"), false);
    }
    String reference = UUID.randomUUID().toString();
    LOG.log(Level.SEVERE, "API request failed, reference " + reference, failure);
    return ErrorBody.of(
        500,
        "server_error",
        "Keyport could not complete the request. Try again; if it persists, give an administrator"
            + " the reference "
            + reference
            + ".");
  }

  private static Response invalidBody() {
    return ErrorBody.of(
        400,
        "invalid_json",
        "The request body is not the JSON this call takes; see the API description at /openapi.");
  }

  private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String word(int status) {
    return switch (status) {
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 406 -> "not_acceptable";
      case 415 -> "unsupported_media_type";
      default -> "http_" + status;
    };
  }
}
