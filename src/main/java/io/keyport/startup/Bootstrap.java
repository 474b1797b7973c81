package io.keyport.startup;

import io.keyport.check.CheckListener;
import io.keyport.check.GrpcCheckServer;
import io.keyport.keys.KeyHasher;
import io.keyport.limits.PlanLimits;
import io.keyport.mirror.MirrorMetrics;
import io.keyport.mirror.RedisMirror;
import io.keyport.notifications.Dispatcher;
import io.keyport.platform.ChangeFeed;
import io.keyport.platform.Database;
import io.keyport.platform.DatabasePool;
import io.keyport.platform.DatabaseUrl;
import io.keyport.platform.LogFormat;
import io.keyport.platform.MetricsPort;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;

/**
 * Start-up, before the first request: check the configuration, apply the Flyway migrations of
 * {@code db/migrations/}, and seed the demo data where asked. A failure here stops the deployment
 * with the reason, instead of a portal that breaks on its first page.
 */
@ApplicationScoped
public class Bootstrap {

  private static final Logger LOG = Logger.getLogger(Bootstrap.class.getName());

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  @Inject private KeyHasher hasher;
  @Inject private DemoData demoData;
  @Inject private ChangeFeed changeFeed;
  @Inject private CheckListener checkListener;
  @Inject private GrpcCheckServer grpcCheckServer;
  @Inject private PlanLimits planLimits;
  @Inject private RedisMirror mirror;
  @Inject private MirrorMetrics mirrorMetrics;
  @Inject private Dispatcher notifications;
  @Inject private MetricsPort metricsPort;
  @Inject private DatabasePool databasePool;
  @Inject private LogFormat logFormat;

  @Inject
  @ConfigProperty(name = "keyport.demo.seed", defaultValue = "false")
  boolean seedDemoData;

  @Inject
  @ConfigProperty(name = "keyport.db.url")
  String databaseUrl;

  private volatile boolean migrated;

  void onStart(@Observes @Initialized(ApplicationScoped.class) Object application)
      throws InterruptedException, IOException {
    logFormat.apply();
    hasher.hash("kp_configuration-check");
    LOG.info("Rate limits: " + planLimits.mode());
    DatabaseUrl database = DatabaseUrl.check("keyport.db.url", databaseUrl);
    if (database.multiHost()) {
      LOG.info(
          "PostgreSQL: "
              + String.join(", ", database.hosts())
              + "; the pool and the change feed follow whichever is primary");
    }
    // Flyway's PostgreSQL lock keeps two nodes starting at once from migrating twice.
    Flyway.configure(Bootstrap.class.getClassLoader())
        .dataSource(dataSource)
        .locations("classpath:db/migrations")
        .load()
        .migrate();
    migrated = true;
    if (seedDemoData) {
      demoData.seedOnce();
    }
    changeFeed.start();
    checkListener.start();
    grpcCheckServer.start();
    mirror.start();
    notifications.start();
    mirrorMetrics.register();
    databasePool.register();
    metricsPort.start();
    LOG.info("Keyport is ready");
  }

  /** Whether this node has applied the Flyway migrations (for readiness). */
  public boolean migrated() {
    return migrated;
  }
}
