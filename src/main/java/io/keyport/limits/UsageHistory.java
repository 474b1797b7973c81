package io.keyport.limits;

import io.keyport.platform.Database;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/** A key's metered usage, for people: the last 24 hours, the last 30 days, this month. */
@ApplicationScoped
public class UsageHistory {

  /** Requests in one period, admitted and refused (every denial reason together). */
  public record Period(Instant start, long admitted, long refused) {}

  /**
   * What the key details page shows: this key's own requests, and {@code countedAgainstQuota}, what
   * the plan's monthly quota counts: the admitted requests this month of every key the owner holds
   * or held on this key's product and plan, this one included.
   */
  public record KeyUsage(
      List<Period> hours, List<Period> days, long admittedThisMonth, long countedAgainstQuota) {}

  private static final String QUOTA_USAGE =
      """
      select coalesce(sum(ku.count), 0)
        from api_key this
        join api_key k
          on k.user_id = this.user_id and k.product_id is not distinct from this.product_id
         and k.plan_id = this.plan_id
        join key_usage ku on ku.key_id = k.id
       where this.id = ? and ku.outcome = 'admitted' and ku.hour >= ?
      """;

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  /** The key's usage as metered so far (counts reach the database within seconds). */
  public KeyUsage of(UUID keyId) {
    Instant now = Instant.now();
    Instant thisHour = now.truncatedTo(ChronoUnit.HOURS);
    Instant firstHour = thisHour.minus(23, ChronoUnit.HOURS);
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Instant firstDay = today.minusDays(29).atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant monthStart = YearMonth.from(today).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();

    Map<Instant, long[]> hours = new LinkedHashMap<>();
    for (int i = 0; i < 24; i++) {
      hours.put(firstHour.plus(i, ChronoUnit.HOURS), new long[2]);
    }
    Map<Instant, long[]> days = new LinkedHashMap<>();
    for (int i = 0; i < 30; i++) {
      days.put(firstDay.plus(i, ChronoUnit.DAYS), new long[2]);
    }
    long thisMonth = 0;
    long counted;
    Instant since = firstDay.isBefore(monthStart) ? firstDay : monthStart;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "select hour, outcome, count from key_usage where key_id = ? and hour >= ?")) {
      query.setObject(1, keyId);
      query.setTimestamp(2, Timestamp.from(since));
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          Instant hour = row.getTimestamp(1).toInstant();
          boolean admitted = UsageMeter.ADMITTED.equals(row.getString(2));
          long count = row.getLong(3);
          int column = admitted ? 0 : 1;
          long[] hourly = hours.get(hour);
          if (hourly != null) {
            hourly[column] += count;
          }
          long[] daily = days.get(hour.truncatedTo(ChronoUnit.DAYS));
          if (daily != null) {
            daily[column] += count;
          }
          if (admitted && !hour.isBefore(monthStart)) {
            thisMonth += count;
          }
        }
      }
      try (PreparedStatement quota = connection.prepareStatement(QUOTA_USAGE)) {
        quota.setObject(1, keyId);
        quota.setTimestamp(2, Timestamp.from(monthStart));
        try (ResultSet row = quota.executeQuery()) {
          row.next();
          counted = row.getLong(1);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Usage cannot be read now: " + e.getMessage(), e);
    }
    return new KeyUsage(periods(hours), periods(days), thisMonth, counted);
  }

  private static List<Period> periods(Map<Instant, long[]> counts) {
    List<Period> periods = new ArrayList<>(counts.size());
    counts.forEach((start, c) -> periods.add(new Period(start, c[0], c[1])));
    return periods;
  }
}
