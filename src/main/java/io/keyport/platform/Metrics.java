package io.keyport.platform;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The node's metrics, one Prometheus registry for every capability, scraped at {@code /metrics}
 * (and on {@code keyport.metrics.port} when set). Meters are registered once and held by the code
 * that records them, so recording is an add to a counter, never a lookup by name. With {@code
 * keyport.metrics.enabled=false} nothing is served and the check records nothing (how bench/
 * measures what recording costs).
 */
@ApplicationScoped
public class Metrics {

  /** The Content-Type of the Prometheus text exposition format that {@link #scrape} writes. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  @Inject
  @ConfigProperty(name = "keyport.metrics.enabled", defaultValue = "true")
  boolean enabled;

  private PrometheusMeterRegistry registry;
  private JvmGcMetrics gc;
  private Counter passwordSignInFailures;
  private Counter providerSignInFailures;

  /** A registry outside the container, for tests of the code that records. */
  public static Metrics standalone() {
    return standalone(true);
  }

  /** As {@link #standalone()}, recording or not as {@code keyport.metrics.enabled} would say. */
  public static Metrics standalone(boolean enabled) {
    Metrics metrics = new Metrics();
    metrics.enabled = enabled;
    metrics.init();
    return metrics;
  }

  @PostConstruct
  void init() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    passwordSignInFailures = signInFailures("password");
    providerSignInFailures = signInFailures("oidc");
  }

  private Counter signInFailures(String method) {
    return Counter.builder("keyport.signin.failures")
        .description("Sign-ins refused: wrong password, unknown or disabled user, provider refusal")
        .tag("method", method)
        .register(registry);
  }

  @PreDestroy
  void close() {
    gc.close();
    registry.close();
  }

  /** Whether metrics are recorded and served ({@code keyport.metrics.enabled}). */
  public boolean enabled() {
    return enabled;
  }

  /** Where every meter is registered. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Every meter, in the Prometheus text exposition format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  /** A password sign-in (form or HTTP Basic) was refused. */
  public void passwordSignInFailed() {
    passwordSignInFailures.increment();
  }

  /** A sign-in through the OpenID Connect provider was refused or failed. */
  public void providerSignInFailed() {
    providerSignInFailures.increment();
  }
}
