package io.keyport.startup;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * {@code /health/live}: the application is deployed and its threads answer. It never looks at
 * PostgreSQL or Redis: a node whose database is away is not broken, and restarting it would only
 * drop the cache the check is serving from.
 */
@Liveness
@ApplicationScoped
public class NodeLiveness implements HealthCheck {

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.up("keyport");
  }
}
