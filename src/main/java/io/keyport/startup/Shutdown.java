package io.keyport.startup;

import io.keyport.keys.LastUsed;
import io.keyport.limits.UsageMeter;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.logging.Logger;

/**
 * On a clean stop (undeploy, SIGTERM), writes what is counted in memory while the connection pool
 * is still there: usage metering and last-used times. The beans' own {@code @PreDestroy} runs later
 * in the shutdown, when the pool may already be gone.
 */
@WebListener
public class Shutdown implements ServletContextListener {

  private static final Logger LOG = Logger.getLogger(Shutdown.class.getName());

  @Inject private UsageMeter usage;
  @Inject private LastUsed lastUsed;

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    usage.flush();
    lastUsed.flush();
    LOG.info("Keyport stopped; usage counts written");
  }
}
