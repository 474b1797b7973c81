package io.keyport.api;

import io.keyport.identity.Roles;
import io.keyport.mirror.MirrorResync;
import io.keyport.mirror.RedisMirror;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;

/**
 * The Redis mirror for administrators (web.xml admits only the admin role): state with dead
 * letters, resync (which also retries the dead letters).
 */
@RolesAllowed(Roles.ADMIN)
@Path("admin/redis-mirror")
@Produces(MediaType.APPLICATION_JSON)
public class AdminMirrorResource {

  @Inject private RedisMirror mirror;
  @Inject private MirrorResync resync;

  private static final int DEAD_LETTERS_SHOWN = 100;

  /**
   * Whether the mirror is on, how far behind it is (dead letters count as undelivered), how many
   * changes wait, and the oldest dead letters, each with Redis's error.
   */
  public record State(
      boolean enabled,
      Long lagSeconds,
      Long waiting,
      Long deadLetterCount,
      List<RedisMirror.DeadLetter> deadLetters) {}

  @GET
  public State state() throws SQLException {
    if (!mirror.isEnabled()) {
      return new State(false, null, null, null, List.of());
    }
    RedisMirror.Backlog backlog = mirror.backlog();
    return new State(
        true,
        backlog.lagSeconds(),
        backlog.waiting(),
        backlog.deadLetters(),
        mirror.deadLetters(DEAD_LETTERS_SHOWN));
  }

  @POST
  @Path("resync")
  public Response resync() throws SQLException {
    if (!mirror.isEnabled()) {
      return ErrorBody.of(
          409,
          "mirror_disabled",
          "The Redis mirror is off: set keyport.redis.url (env KEYPORT_REDIS_URL) to turn it on.");
    }
    try {
      return Response.ok(resync.resync()).build();
    } catch (RuntimeException e) {
      return ErrorBody.of(
          503, "redis_unavailable", "Redis does not answer (" + e.getMessage() + "). Try again.");
    }
  }
}
