package io.keyport.api;

import io.keyport.catalog.Catalog;
import io.keyport.identity.Roles;
import io.keyport.identity.UserAdministration;
import io.keyport.keys.KeyDirectory;
import io.keyport.limits.RecentTraffic;
import io.keyport.limits.Traffic;
import io.keyport.mirror.RedisMirror;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The admin dashboard's figures, for scripts and monitors (admin role only). */
@RolesAllowed(Roles.ADMIN)
@Path("admin/dashboard")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Admin: dashboard", description = "Needs the admin role; 403 otherwise.")
public class AdminDashboardResource {

  @Inject private UserAdministration accounts;
  @Inject private Catalog catalog;
  @Inject private KeyDirectory keys;
  @Inject private Traffic traffic;
  @Inject private RedisMirror mirror;

  /** The Redis mirror: on or off, and the age of the oldest change not yet in Redis. */
  public record Mirror(boolean enabled, Long lagSeconds) {}

  /**
   * Counts; requests per minute over the last hour as this node answered them; requests per hour
   * over 24 hours from every node; the ten busiest keys of those 24 hours.
   */
  public record Summary(
      long users,
      long apiProducts,
      long liveKeys,
      long keysCreatedLast7Days,
      List<RecentTraffic.Minute> lastHourPerMinuteThisNode,
      List<Traffic.Hour> last24HoursPerHour,
      List<Traffic.TopKey> topKeys,
      Mirror mirror) {}

  @GET
  @Operation(summary = "Counts, traffic, busiest keys, mirror lag")
  public Summary summary() throws SQLException {
    return new Summary(
        accounts.count(),
        catalog.products().size(),
        keys.liveCount(),
        keys.createdSince(Instant.now().minus(7, ChronoUnit.DAYS)),
        traffic.lastHourOnThisNode(),
        traffic.last24Hours(),
        traffic.topKeys(10),
        new Mirror(mirror.isEnabled(), mirror.isEnabled() ? mirror.lagSeconds() : null));
  }
}
