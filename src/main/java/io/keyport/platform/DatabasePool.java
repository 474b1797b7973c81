package io.keyport.platform;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The JDBC pool {@link Database} defines, as gauges: connections in use ({@code
 * keyport_db_pool_connections_active}), free ({@code _idle}), requests waiting for one ({@code
 * _waiting}) and the pool's limit ({@code _max}).
 *
 * <p>The pool is Payara's own (the connector runtime's {@code ResourcePool}), and Payara has no
 * public API for its occupancy: its monitoring would need the monitoring service on and AMX, and
 * its MicroProfile Metrics endpoint is off (Keyport serves {@code /metrics}). So the pool is found
 * by reflection, through hk2's service locator and the pool manager's table, once at start-up; each
 * scrape then reads three numbers from it. If Payara's internals are not what they were in
 * 6.2025.10 the gauges are left out and the log says so once: the check and the portal never depend
 * on them.
 */
@ApplicationScoped
public class DatabasePool {

  private static final Logger LOG = Logger.getLogger(DatabasePool.class.getName());
  private static final String POOL_NAME = Database.JNDI_NAME.substring("java:app/".length());

  @Inject Metrics metrics;

  @Resource(lookup = Database.JNDI_NAME)
  DataSource dataSource;

  private Map<?, ?> pools;
  private Method status;
  private Method free;
  private Method used;
  private Method waitQueue;
  private Method queueLength;
  private Method maxSize;

  /** Registers the gauges, if Payara's pool can be read. */
  public void register() {
    if (!metrics.enabled()) {
      return;
    }
    try {
      find();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.warning(
          "keyport_db_pool_* metrics are off: Payara's connection pool could not be read ("
              + e
              + ")");
      return;
    }
    MeterRegistry registry = metrics.registry();
    gauge(
        registry, "keyport.db.pool.connections.active", "Connections in use", DatabasePool::active);
    gauge(
        registry,
        "keyport.db.pool.connections.idle",
        "Connections free in the pool",
        DatabasePool::idle);
    gauge(
        registry,
        "keyport.db.pool.connections.waiting",
        "Requests waiting for a connection",
        DatabasePool::waiting);
    gauge(
        registry, "keyport.db.pool.connections.max", "The pool's largest size", DatabasePool::max);
  }

  private void gauge(
      MeterRegistry registry, String name, String help, ToDoubleFunction<DatabasePool> value) {
    Gauge.builder(name, this, value).description(help).register(registry);
  }

  private void find() throws ReflectiveOperationException {
    // Classes of Payara's runtime, seen through the loader of the pool's own DataSource class.
    ClassLoader payara = dataSource.getClass().getClassLoader();
    Class<?> globals = Class.forName("org.glassfish.internal.api.Globals", true, payara);
    Object locator = globals.getMethod("getDefaultHabitat").invoke(null);
    Class<?> managerType =
        Class.forName("com.sun.enterprise.resource.pool.PoolManager", true, payara);
    Object manager =
        locator
            .getClass()
            .getMethod("getService", Class.class, java.lang.annotation.Annotation[].class)
            .invoke(locator, managerType, new java.lang.annotation.Annotation[0]);
    if (manager == null) {
      throw new IllegalStateException("no PoolManager service");
    }
    Field table = manager.getClass().getDeclaredField("poolTable");
    table.setAccessible(true);
    pools = (Map<?, ?>) table.get(manager);
    Class<?> poolType =
        Class.forName("com.sun.enterprise.resource.pool.ResourcePool", true, payara);
    status = poolType.getMethod("getPoolStatus");
    waitQueue = poolType.getMethod("getPoolWaitQueue");
    maxSize = poolType.getMethod("getMaxPoolSize");
    Class<?> statusType = status.getReturnType();
    free = statusType.getMethod("getNumConnFree");
    used = statusType.getMethod("getNumConnUsed");
    queueLength = waitQueue.getReturnType().getMethod("getQueueLength");
    if (pool() == null) {
      // the pool is made on first use; Flyway has used it by now
      throw new IllegalStateException("no pool named like " + POOL_NAME + " in " + pools.keySet());
    }
  }

  /** Keyport's pool, looked up at each read: Payara makes a new one when it is reconfigured. */
  private Object pool() {
    for (Map.Entry<?, ?> entry : pools.entrySet()) {
      if (String.valueOf(entry.getKey()).contains(POOL_NAME)) {
        return entry.getValue();
      }
    }
    return null;
  }

  private double read(Method first, Method then) {
    Object pool = pool();
    if (pool == null) {
      return Double.NaN;
    }
    try {
      Object value = first.invoke(pool);
      return ((Number) (then == null ? value : then.invoke(value))).doubleValue();
    } catch (ReflectiveOperationException e) {
      return Double.NaN;
    }
  }

  double active() {
    return read(status, used);
  }

  double idle() {
    return read(status, free);
  }

  double waiting() {
    return read(waitQueue, queueLength);
  }

  double max() {
    return read(maxSize, null);
  }
}
