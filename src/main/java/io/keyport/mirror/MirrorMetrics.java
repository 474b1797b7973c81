package io.keyport.mirror;

import io.keyport.platform.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.function.ToDoubleFunction;

/**
 * The outbox's backlog as gauges: the mirror's lag, the changes waiting and the dead letters. Read
 * from PostgreSQL when Prometheus scrapes, at most once a second however many gauges ask; NaN while
 * the database does not answer.
 */
@ApplicationScoped
public class MirrorMetrics {

  private static final long FRESH_NANOS = 1_000_000_000L;

  @Inject private RedisMirror mirror;
  @Inject private Metrics metrics;

  private RedisMirror.Backlog last;
  private long readNanos;

  /** Registers the gauges; called once at start-up. */
  public void register() {
    MeterRegistry registry = metrics.registry();
    gauge(
        registry,
        "keyport.mirror.lag",
        "seconds",
        "Age of the oldest undelivered change",
        b -> b.lagSeconds());
    gauge(
        registry,
        "keyport.mirror.outbox.waiting",
        null,
        "Changes not yet in Redis",
        b -> b.waiting());
    gauge(
        registry,
        "keyport.mirror.outbox.dead.letters",
        null,
        "Changes Redis refused, set aside",
        b -> b.deadLetters());
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String unit,
      String description,
      ToDoubleFunction<RedisMirror.Backlog> value) {
    Gauge.builder(name, this, metrics -> metrics.read(value))
        .description(description)
        .baseUnit(unit)
        .strongReference(true)
        .register(registry);
  }

  private synchronized double read(ToDoubleFunction<RedisMirror.Backlog> value) {
    long now = System.nanoTime();
    if (last == null || now - readNanos > FRESH_NANOS) {
      try {
        last = mirror.backlog();
      } catch (SQLException | RuntimeException e) {
        last = null;
        return Double.NaN;
      } finally {
        readNanos = now;
      }
    }
    return last == null ? Double.NaN : value.applyAsDouble(last);
  }
}
