package io.keyport.limits;

import io.github.bucket4j.TimeMeter;
import io.keyport.catalog.PlanView;
import io.keyport.keys.LiveKey;
import io.keyport.platform.Database;
import io.keyport.platform.Redis;
import io.keyport.platform.Unproxied;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Enforces a key's usage plan (SPEC §4) and its credits (SPEC §11, {@link CreditCounter}): the rate
 * limit as a token bucket per key, in this process ({@code keyport.ratelimit.mode=local}) or in
 * Redis, shared by every node ({@code redis}); and the monthly quota as a count per user, product
 * and plan ({@link QuotaScope}), so a replaced key does not bring a fresh quota. A plan without
 * limits is not counted against. In redis mode an unreachable Redis makes each node limit on its
 * own until Redis answers again; that is logged once per outage.
 */
@ApplicationScoped
public class PlanLimits {

  /** The database cannot tell this month's count, so the quota cannot be checked. */
  public static class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(SQLException cause) {
      super("This month's usage or the key's credits cannot be read: " + cause.getMessage(), cause);
    }
  }

  private static final Logger LOG = Logger.getLogger(PlanLimits.class.getName());
  private static final long REDIS_RETRY_NANOS = 1_000_000_000L;
  private static final String SCOPE_USAGE =
      """
      select coalesce(sum(ku.count), 0)
        from key_usage ku
        join api_key k on k.id = ku.key_id
        join app_user u on u.id = k.user_id
        left join api_product p on p.id = k.product_id
        join usage_plan pl on pl.id = k.plan_id
       where u.username = ? and coalesce(p.slug, '*') = ? and pl.name = ?
         and ku.outcome = 'admitted' and ku.hour >= ? and ku.hour < ?
      """;

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  @Inject private Redis redis;

  @Inject
  @ConfigProperty(name = "keyport.ratelimit.mode", defaultValue = "local")
  String mode;

  @Resource(lookup = "concurrent/keyport-background")
  private ManagedScheduledExecutorService scheduler;

  private RateBuckets rates;
  private CreditCounter credits;
  private ScheduledFuture<?> creditWriter;
  private ScheduledFuture<?> sliceReturner;
  private TimeMeter meter;
  private MonthlyQuotas quotas;
  private Clock clock;
  private boolean redisMode;
  private volatile SharedBuckets shared;
  private volatile TokenSlices slices;
  private volatile SharedQuotas sharedQuotas;
  private volatile boolean redisDown;
  private volatile long nextRedisTry;

  @PostConstruct
  void init() {
    configure(TimeMeter.SYSTEM_NANOTIME, Clock.systemUTC());
    redisMode = "redis".equals(mode);
    if (redisMode) {
      if (!redis.isConfigured()) {
        throw new IllegalStateException(
            "keyport.ratelimit.mode=redis needs keyport.redis.url (env KEYPORT_REDIS_URL)");
      }
      creditWriter =
          scheduler.scheduleWithFixedDelay(this::writeBackCredits, 1, 1, TimeUnit.SECONDS);
      sliceReturner =
          scheduler.scheduleWithFixedDelay(
              this::giveBackOldSlices, 250, 250, TimeUnit.MILLISECONDS);
    } else if (!"local".equals(mode)) {
      throw new IllegalStateException(
          "keyport.ratelimit.mode (env KEYPORT_RATELIMIT_MODE) is 'local' or 'redis', not '"
              + mode
              + "'");
    }
  }

  @PreDestroy
  void stop() {
    if (sliceReturner != null) {
      sliceReturner.cancel(false);
      giveBackOldSlices();
    }
    if (creditWriter != null) {
      creditWriter.cancel(false);
      writeBackCredits();
    }
  }

  private void writeBackCredits() {
    try {
      credits.writeBack();
    } catch (SQLException | RuntimeException e) {
      LOG.log(Level.FINE, "Credit counts from Redis not written back yet: {0}", e.toString());
    }
  }

  /** Unused tokens of slices past their lifetime go back to Redis (no-op while Redis is down). */
  private void giveBackOldSlices() {
    TokenSlices current = slices;
    if (current != null && !redisDown) {
      try {
        current.giveBackOld();
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "Unused rate-limit tokens not given back to Redis: {0}", e.toString());
      }
    }
  }

  void configure(TimeMeter meter, Clock clock) {
    this.meter = meter;
    this.clock = clock;
    credits = new CreditCounter(dataSource, clock);
    rates = new RateBuckets(meter);
    quotas = new MonthlyQuotas(clock, this::storedCount);
  }

  /** Where rate limits are kept: "local" or "redis". */
  public String mode() {
    return mode;
  }

  /** Whether {@link #admit} may block on the database or Redis for this key and plan. */
  public boolean mayBlock(LiveKey key, PlanView plan) {
    boolean shared = redisMode && !redisDown;
    return (plan.monthlyQuota() != null && (shared || !quotas.isLoaded(QuotaScope.of(key))))
        || (plan.limited() && shared && !answersFromSlice(key, plan))
        || (key.credits() != null && !credits.knownExhausted(key));
  }

  private boolean answersFromSlice(LiveKey key, PlanView plan) {
    TokenSlices current = slices;
    return current != null
        && current.answersFromSlice(key.id(), plan.requestsPerUnit(), plan.unit());
  }

  /**
   * Counts one request against the key's plan.
   *
   * @throws Unavailable when the plan has a quota and this month's count cannot be read
   */
  public Admission admit(LiveKey key, PlanView plan) {
    return admit(key, plan, true);
  }

  /**
   * As {@link #admit}, for an I/O thread after {@link #mayBlock} said false: null, with nothing
   * counted, when the answer needs Redis after all (this node's slice ran out in between).
   */
  public Admission admitFromMemory(LiveKey key, PlanView plan) {
    return admit(key, plan, false);
  }

  private Admission admit(LiveKey key, PlanView plan, boolean blocking) {
    Admission planned = admitByPlan(key, plan, blocking);
    if (planned == null) {
      return null;
    }
    if (!planned.admitted() || key.credits() == null) {
      return planned;
    }
    // Credits come last, so a request the rate limit or quota refuses takes no credit; one the
    // credits refuse gives its quota count back (its rate-limit token stays spent: it was a
    // request all the same).
    Admission credit = takeCredit(key);
    if (!credit.admitted() && plan.monthlyQuota() != null) {
      giveBack(QuotaScope.of(key), redisMode && !redisDown);
    }
    return credit.admitted() ? planned : credit;
  }

  private Admission takeCredit(LiveKey key) {
    try {
      Admission shared = redisMode ? shared(() -> takeSharedCredit(key)) : null;
      return shared != null ? shared : credits.take(key);
    } catch (SQLException e) {
      throw new Unavailable(e);
    }
  }

  private Admission takeSharedCredit(LiveKey key) {
    try {
      if (!credits.shared()) {
        synchronized (this) {
          if (!credits.shared()) {
            credits.share(redis.commands(), redis.keyPrefix());
          }
        }
      }
      return credits.takeShared(key);
    } catch (SQLException e) {
      throw new Unavailable(e);
    }
  }

  private Admission admitByPlan(LiveKey key, PlanView plan, boolean blocking) {
    UUID keyId = key.id();
    Admission quota = Admission.UNLIMITED;
    boolean quotaShared = false;
    QuotaScope scope = plan.monthlyQuota() == null ? null : QuotaScope.of(key);
    if (scope != null
        && !blocking
        && redisMode
        && (!redisDown || System.nanoTime() >= nextRedisTry)) {
      return null; // the shared quota is counted in Redis, by a worker thread
    }
    if (scope != null) {
      long limit = plan.monthlyQuota();
      quota = redisMode ? shared(() -> sharedQuotas().take(scope, limit)) : null;
      quotaShared = quota != null;
      if (!quotaShared) {
        quota = quotas.take(scope, limit);
      }
      if (!quota.admitted()) {
        return quota;
      }
    }
    if (!plan.limited()) {
      return quota;
    }
    Admission rate = null;
    if (redisMode && !blocking) {
      if (!redisDown) {
        TokenSlices current = slices;
        rate =
            current == null ? null : current.fromSlice(keyId, plan.requestsPerUnit(), plan.unit());
      }
      if (rate == null && (!redisDown || System.nanoTime() >= nextRedisTry)) {
        // Only Redis can tell (or it is time to try it again): a worker thread will ask.
        if (scope != null) {
          giveBack(scope, quotaShared);
        }
        return null;
      }
    } else if (redisMode) {
      rate = shared(() -> slices().take(keyId, plan.requestsPerUnit(), plan.unit()));
    }
    if (rate == null) {
      rate = rates.take(keyId, plan.requestsPerUnit(), plan.unit());
    }
    if (!rate.admitted() && scope != null) {
      giveBack(scope, quotaShared);
    }
    return rate;
  }

  private void giveBack(QuotaScope scope, boolean quotaShared) {
    if (!quotaShared) {
      quotas.giveBack(scope);
    } else if (shared(() -> sharedQuotas().giveBack(scope)) == null) {
      LOG.fine("A refused request's quota count could not be given back while Redis is down");
    }
  }

  /**
   * Runs a step against Redis in redis mode; null in local mode, while Redis is down (tried again
   * at most once a second), or when the step fails, so the caller limits on this node instead.
   */
  private <T> T shared(Supplier<T> step) {
    if (!redisMode || (redisDown && System.nanoTime() < nextRedisTry)) {
      return null;
    }
    try {
      T result = step.get();
      if (redisDown) {
        redisDown = false;
        LOG.info("Redis answers again: rate limits and quotas are shared by all nodes again");
      }
      return result;
    } catch (Unavailable databaseDown) {
      throw databaseDown;
    } catch (RuntimeException e) {
      nextRedisTry = System.nanoTime() + REDIS_RETRY_NANOS;
      if (!redisDown) {
        redisDown = true;
        LOG.log(
            Level.WARNING,
            "Redis does not answer ({0}); each node limits on its own until it does",
            e.toString());
      }
      return null;
    }
  }

  private SharedBuckets sharedBuckets() {
    SharedBuckets current = shared;
    if (current == null) {
      synchronized (this) {
        if (shared == null) {
          shared = new SharedBuckets(redis.connection(), redis.keyPrefix());
        }
        current = shared;
      }
    }
    return current;
  }

  private TokenSlices slices() {
    TokenSlices current = slices;
    if (current == null) {
      synchronized (this) {
        if (slices == null) {
          slices = new TokenSlices(meter, sharedBuckets());
        }
        current = slices;
      }
    }
    return current;
  }

  private SharedQuotas sharedQuotas() {
    SharedQuotas current = sharedQuotas;
    if (current == null) {
      synchronized (this) {
        if (sharedQuotas == null) {
          sharedQuotas =
              new SharedQuotas(redis.commands(), redis.keyPrefix(), clock, this::storedCount);
        }
        current = sharedQuotas;
      }
    }
    return current;
  }

  /**
   * The month's admitted requests of every key the scope's user holds or held on its product and
   * plan: revoked keys are kept, so their usage still counts.
   */
  private Long storedCount(QuotaScope scope, YearMonth month) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement sum = connection.prepareStatement(SCOPE_USAGE)) {
      sum.setString(1, scope.username());
      sum.setString(2, scope.product());
      sum.setString(3, scope.plan());
      sum.setTimestamp(4, Timestamp.from(month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
      sum.setTimestamp(
          5, Timestamp.from(month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
      try (ResultSet row = sum.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw new Unavailable(e);
    }
  }

  /** This bean itself, past its client proxy, for the check's hot path (see {@link Unproxied}). */
  public Unproxied<PlanLimits> unproxied() {
    return new Unproxied<>(this);
  }
}
