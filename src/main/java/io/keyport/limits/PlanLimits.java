package io.keyport.limits;

import io.github.bucket4j.TimeMeter;
import io.keyport.catalog.PlanView;
import io.keyport.platform.Database;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Enforces a key's usage plan (SPEC §4) in this process: the rate limit as a token bucket per key
 * and the monthly quota as a count per key. A plan without limits is not counted against.
 */
@ApplicationScoped
public class PlanLimits {

  /** The database cannot tell this month's count, so the quota cannot be checked. */
  public static class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(SQLException cause) {
      super("This month's usage cannot be read: " + cause.getMessage(), cause);
    }
  }

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  private RateBuckets rates;
  private MonthlyQuotas quotas;

  @PostConstruct
  void init() {
    configure(TimeMeter.SYSTEM_NANOTIME, Clock.systemUTC());
  }

  void configure(TimeMeter meter, Clock clock) {
    rates = new RateBuckets(meter);
    quotas = new MonthlyQuotas(clock, this::storedCount);
  }

  /** Whether {@link #admit} would need the database for this key and plan. */
  public boolean needsDatabase(UUID keyId, PlanView plan) {
    return plan.monthlyQuota() != null && !quotas.isLoaded(keyId);
  }

  /**
   * Counts one request against the key's plan.
   *
   * @throws Unavailable when the plan has a quota and this month's count cannot be read
   */
  public Admission admit(UUID keyId, PlanView plan) {
    Admission quota = Admission.UNLIMITED;
    if (plan.monthlyQuota() != null) {
      quota = quotas.take(keyId, plan.monthlyQuota());
      if (!quota.admitted()) {
        return quota;
      }
    }
    if (!plan.limited()) {
      return quota;
    }
    Admission rate = rates.take(keyId, plan.requestsPerUnit(), plan.unit());
    if (!rate.admitted() && plan.monthlyQuota() != null) {
      quotas.giveBack(keyId);
    }
    return rate;
  }

  /** Requests counted against the key's quota this month, as far as this node knows. */
  public long usedThisMonth(UUID keyId) {
    return quotas.used(keyId);
  }

  private Long storedCount(UUID keyId, YearMonth month) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement sum =
            connection.prepareStatement(
                "select coalesce(sum(count), 0) from key_usage"
                    + " where key_id = ? and outcome = 'admitted' and hour >= ? and hour < ?")) {
      sum.setObject(1, keyId);
      sum.setTimestamp(2, Timestamp.from(month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
      sum.setTimestamp(
          3, Timestamp.from(month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
      try (ResultSet row = sum.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw new Unavailable(e);
    }
  }
}
