package io.keyport.mirror;

import io.keyport.platform.Redis;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The Redis mirror in the readiness report ({@code /health/ready}): its lag (age of the oldest
 * undelivered change) and whether Redis answers. It stays UP while Redis is down, because the
 * portal and the check keep working and the outbox keeps every change; the data says why the mirror
 * lags. Dead letters (changes Redis refused, set aside) count in the lag and are counted apart.
 */
@Readiness
@ApplicationScoped
public class MirrorHealth implements HealthCheck {

  @Inject private Redis redis;
  @Inject private RedisMirror mirror;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("redis-mirror").up();
    if (!redis.isConfigured()) {
      return response.withData("enabled", false).build();
    }
    response.withData("enabled", true);
    try {
      RedisMirror.Backlog backlog = mirror.backlog();
      response
          .withData("lagSeconds", backlog.lagSeconds())
          .withData("waiting", backlog.waiting())
          .withData("deadLetters", backlog.deadLetters());
    } catch (SQLException e) {
      response.withData("lagSeconds", "unknown: the database does not answer");
    }
    boolean reachable;
    try {
      reachable = "PONG".equals(redis.commands().ping());
    } catch (RuntimeException e) {
      reachable = false;
    }
    return response.withData("redisReachable", reachable).build();
  }
}
