package io.keyport.startup;

import io.keyport.platform.ChangeFeed;
import io.keyport.platform.Database;
import io.keyport.platform.Redis;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Whether this node can serve everything ({@code /health/ready}): the migrations are applied,
 * PostgreSQL answers, the change feed listens (so revocations reach this node within a second),
 * and, when {@code keyport.redis.url} is set, Redis answers. Not ready takes the node out of the
 * portal's load balancing; the check keeps answering from its cache meanwhile (see KeyCache), which
 * is why deploy/ publishes the check's Services with not-ready addresses too.
 */
@Readiness
@ApplicationScoped
public class NodeReadiness implements HealthCheck {

  private static final int DATABASE_TIMEOUT_SECONDS = 2;

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  @Inject private Bootstrap bootstrap;
  @Inject private ChangeFeed feed;
  @Inject private Redis redis;

  @Override
  public HealthCheckResponse call() {
    boolean migrated = bootstrap.migrated();
    boolean database = databaseAnswers();
    boolean listening = feed.listens();
    boolean redisAnswers = !redis.isConfigured() || redisAnswers();
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named("keyport")
            .status(migrated && database && listening && redisAnswers)
            .withData("migrations", migrated ? "applied" : "pending")
            .withData("database", database ? "answers" : "does not answer")
            .withData("changeFeed", listening ? "listening" : "not listening");
    if (redis.isConfigured()) {
      response.withData("redis", redisAnswers ? "answers" : "does not answer");
    }
    return response.build();
  }

  private boolean databaseAnswers() {
    try (Connection connection = dataSource.getConnection()) {
      return connection.isValid(DATABASE_TIMEOUT_SECONDS);
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  private boolean redisAnswers() {
    try {
      return "PONG".equals(redis.commands().ping());
    } catch (RuntimeException e) {
      return false;
    }
  }
}
