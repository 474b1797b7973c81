package io.keyport.check;

import io.keyport.keys.LiveKey;
import io.keyport.limits.Admission;
import io.keyport.platform.Metrics;
import io.keyport.platform.Unproxied;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The check's decisions counted by front, outcome word, product and plan, and its latency by front.
 * Every label comes from a bounded set: the outcome words of SPEC §3 and §11, and the products and
 * plans of the catalogue (at most {@link #MAX_PRODUCT_PLANS} pairs per front, the rest counted as
 * {@code other}); never a key id, a user name or a path. A denial before a key is known counts
 * under product and plan {@code none}.
 *
 * <p>Cheap on the hot path: the counters of a (product, plan) pair are resolved once and then found
 * by the two strings the cached key already holds (their hash codes are cached by String), so
 * recording allocates nothing; a decision adds one to one counter and one sample to one timer.
 */
@ApplicationScoped
public class CheckMetrics {

  /** The outcome words, in the order of {@link #outcome(Verdict)}'s indexes. */
  static final String[] OUTCOMES = {
    "allowed",
    AuthCheck.MISSING,
    AuthCheck.INVALID,
    AuthCheck.ROUTE_NOT_ALLOWED,
    "ip_not_allowed",
    Admission.RATE_LIMITED,
    Admission.QUOTA_EXCEEDED,
    "credits_exhausted",
    AuthCheck.UNAVAILABLE,
    "other"
  };

  /** Distinct (product, plan) pairs with counters of their own; a catalogue is far smaller. */
  static final int MAX_PRODUCT_PLANS = 1000;

  static final String NONE = "none";
  static final String OTHER = "other";

  @Inject private Metrics metrics;

  private MeterRegistry registry;
  private boolean enabled;
  private final Front[] fronts = Front.values();
  // [front][outcome]: denials before a key is known, and pairs past the cap
  private Counter[][] noKey;
  private Counter[][] overflow;
  private Timer[] latency;
  // front -> product -> plan -> counters by outcome
  private Map<String, Map<String, Counter[]>>[] byProduct;
  // [front]: pairs with counters of their own
  private AtomicInteger[] pairs;

  /** Metrics outside the container, for tests. */
  static CheckMetrics of(Metrics metrics) {
    CheckMetrics check = new CheckMetrics();
    check.metrics = metrics;
    check.init();
    return check;
  }

  @PostConstruct
  @SuppressWarnings("unchecked")
  void init() {
    registry = metrics.registry();
    enabled = metrics.enabled();
    noKey = new Counter[fronts.length][];
    overflow = new Counter[fronts.length][];
    latency = new Timer[fronts.length];
    byProduct = new Map[fronts.length];
    pairs = new AtomicInteger[fronts.length];
    for (Front front : fronts) {
      noKey[front.ordinal()] = counters(front, NONE, NONE);
      overflow[front.ordinal()] = counters(front, OTHER, OTHER);
      byProduct[front.ordinal()] = new ConcurrentHashMap<>();
      pairs[front.ordinal()] = new AtomicInteger();
      latency[front.ordinal()] =
          Timer.builder("keyport.check.latency")
              .description("Time the check took to decide, from request read to verdict")
              .tag("front", front.label())
              .serviceLevelObjectives(
                  Duration.ofNanos(25_000),
                  Duration.ofNanos(50_000),
                  Duration.ofNanos(100_000),
                  Duration.ofNanos(250_000),
                  Duration.ofNanos(500_000),
                  Duration.ofMillis(1),
                  Duration.ofMillis(2),
                  Duration.ofMillis(5),
                  Duration.ofMillis(10),
                  Duration.ofMillis(25),
                  Duration.ofMillis(50),
                  Duration.ofMillis(100),
                  Duration.ofMillis(250),
                  Duration.ofMillis(1000))
              .register(registry);
    }
  }

  private Counter[] counters(Front front, String product, String plan) {
    Counter[] counters = new Counter[OUTCOMES.length];
    for (int i = 0; i < OUTCOMES.length; i++) {
      counters[i] =
          Counter.builder("keyport.check.decisions")
              .description("Check decisions by front, outcome word, product and plan")
              .tag("front", front.label())
              .tag("outcome", OUTCOMES[i])
              .tag("product", product)
              .tag("plan", plan)
              .register(registry);
    }
    return counters;
  }

  /** Whether decisions are recorded; false makes {@link #record} a no-op. */
  boolean enabled() {
    return enabled;
  }

  /**
   * Counts one decision and its latency.
   *
   * @param key the key the decision was about, or null when none was known
   * @param startNanos {@link System#nanoTime} when the request reached the check
   */
  void record(Front front, Verdict verdict, LiveKey key, long startNanos) {
    if (!enabled) {
      return;
    }
    counters(front, key)[outcome(verdict)].increment();
    latency[front.ordinal()].record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  private Counter[] counters(Front front, LiveKey key) {
    if (key == null) {
      return noKey[front.ordinal()];
    }
    // A plan-wide key (SPEC §10) has no product.
    String product = key.product() == null ? NONE : key.product();
    Map<String, Counter[]> plans = byProduct[front.ordinal()].get(product);
    Counter[] counters = plans == null ? null : plans.get(key.plan());
    return counters != null ? counters : resolve(front, product, key.plan());
  }

  private Counter[] resolve(Front front, String product, String plan) {
    Map<String, Counter[]> plans =
        byProduct[front.ordinal()].computeIfAbsent(product, p -> new ConcurrentHashMap<>());
    Counter[] known = plans.get(plan);
    if (known != null) {
      return known;
    }
    if (pairs[front.ordinal()].get() >= MAX_PRODUCT_PLANS) {
      return overflow[front.ordinal()];
    }
    return plans.computeIfAbsent(
        plan,
        p -> {
          pairs[front.ordinal()].incrementAndGet();
          return counters(front, product, p);
        });
  }

  /** The index in {@link #OUTCOMES} of the verdict's outcome word. */
  static int outcome(Verdict verdict) {
    String error = verdict.error();
    if (error == null) {
      return 0;
    }
    return switch (error) {
      case AuthCheck.MISSING -> 1;
      case AuthCheck.INVALID -> 2;
      case AuthCheck.ROUTE_NOT_ALLOWED -> 3;
      case "ip_not_allowed" -> 4;
      case Admission.RATE_LIMITED -> 5;
      case Admission.QUOTA_EXCEEDED -> 6;
      case "credits_exhausted" -> 7;
      case AuthCheck.UNAVAILABLE -> 8;
      default -> OUTCOMES.length - 1;
    };
  }

  /** This bean itself, past its client proxy, for the check's hot path (see {@link Unproxied}). */
  Unproxied<CheckMetrics> unproxied() {
    return new Unproxied<>(this);
  }
}
