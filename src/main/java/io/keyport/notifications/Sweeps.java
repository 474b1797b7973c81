package io.keyport.notifications;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The events no request causes, found by looking: keys that expire within 7 days and within 1 day
 * ({@code key.expiring}), keys that have expired ({@code key.expired}), and monthly quotas 80% and
 * 100% used ({@code quota.threshold}, from the usage the check meters into {@code key_usage}). Each
 * happens once (the event's {@code once_key}); run by the {@link Dispatcher}'s rounds.
 */
@ApplicationScoped
class Sweeps {

  private static final int MAX_PER_SWEEP = 500;
  private static final Duration EXPIRED_LOOKBACK = Duration.ofDays(7);

  private static final String KEYS =
      "select k.id, k.name, k.hint, p.slug, pl.name, u.username, k.created_at, k.expires_at"
          + " from api_key k join app_user u on u.id = k.user_id"
          // left: a plan-wide key (no product, SPEC §10) expires too
          + " left join api_product p on p.id = k.product_id join usage_plan pl on pl.id = k.plan_id"
          + " where k.revoked_at is null and k.expires_at > ? and k.expires_at <= ?"
          + " order by k.expires_at limit "
          + MAX_PER_SWEEP;

  private static final String QUOTAS =
      """
      select u.username, p.slug, pl.name, pl.monthly_quota, sum(ku.count)
        from key_usage ku
        join api_key k on k.id = ku.key_id
        join app_user u on u.id = k.user_id
        left join api_product p on p.id = k.product_id
        join usage_plan pl on pl.id = k.plan_id
       where pl.monthly_quota is not null and ku.outcome = 'admitted'
         and ku.hour >= ? and ku.hour < ?
       group by u.username, p.slug, pl.name, pl.monthly_quota
      having sum(ku.count) * 100 >= pl.monthly_quota * 80
      """;

  @Inject private Notifications notifications;

  void sweep(Connection connection) throws SQLException {
    Instant now = Instant.now();
    expiring(connection, now);
    expired(connection, now);
    quotas(connection, now);
  }

  private void expiring(Connection connection, Instant now) throws SQLException {
    try (PreparedStatement keys = connection.prepareStatement(KEYS)) {
      keys.setTimestamp(1, Timestamp.from(now));
      keys.setTimestamp(2, Timestamp.from(now.plus(Duration.ofDays(7))));
      try (ResultSet row = keys.executeQuery()) {
        while (row.next()) {
          Instant expires = row.getTimestamp(8).toInstant();
          int days = Duration.between(now, expires).compareTo(Duration.ofDays(1)) <= 0 ? 1 : 7;
          Map<String, Object> data = key(row);
          data.put("daysAhead", days);
          notifications.recordOnce(
              connection,
              EventType.KEY_EXPIRING,
              row.getString(6),
              data,
              "key.expiring:" + row.getObject(1, UUID.class) + ":" + days + "d:" + expires);
        }
      }
    }
  }

  private void expired(Connection connection, Instant now) throws SQLException {
    try (PreparedStatement keys = connection.prepareStatement(KEYS)) {
      keys.setTimestamp(1, Timestamp.from(now.minus(EXPIRED_LOOKBACK)));
      keys.setTimestamp(2, Timestamp.from(now));
      try (ResultSet row = keys.executeQuery()) {
        while (row.next()) {
          Instant expires = row.getTimestamp(8).toInstant();
          notifications.recordOnce(
              connection,
              EventType.KEY_EXPIRED,
              row.getString(6),
              key(row),
              "key.expired:" + row.getObject(1, UUID.class) + ":" + expires);
        }
      }
    }
  }

  private void quotas(Connection connection, Instant now) throws SQLException {
    YearMonth month = YearMonth.from(now.atZone(ZoneOffset.UTC));
    try (PreparedStatement scopes = connection.prepareStatement(QUOTAS)) {
      scopes.setTimestamp(
          1, Timestamp.from(month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
      scopes.setTimestamp(
          2, Timestamp.from(month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
      try (ResultSet row = scopes.executeQuery()) {
        while (row.next()) {
          long quota = row.getLong(4);
          long used = row.getLong(5);
          for (int threshold : new int[] {80, 100}) {
            if (used * 100 < quota * threshold) {
              continue;
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("owner", row.getString(1));
            data.put("apiProduct", row.getString(2));
            data.put("usagePlan", row.getString(3));
            data.put("threshold", threshold);
            data.put("used", used);
            data.put("quota", quota);
            data.put("month", month.toString());
            notifications.recordOnce(
                connection,
                EventType.QUOTA_THRESHOLD,
                row.getString(1),
                data,
                String.join(
                    ":",
                    "quota.threshold",
                    row.getString(1),
                    row.getString(2),
                    row.getString(3),
                    month.toString(),
                    Integer.toString(threshold)));
          }
        }
      }
    }
  }

  private static Map<String, Object> key(ResultSet row) throws SQLException {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("keyId", row.getObject(1, UUID.class).toString());
    data.put("name", row.getString(2));
    data.put("hint", row.getString(3));
    data.put("apiProduct", row.getString(4));
    data.put("usagePlan", row.getString(5));
    data.put("owner", row.getString(6));
    data.put("createdAt", row.getTimestamp(7).toInstant());
    data.put("expiresAt", row.getTimestamp(8).toInstant());
    return data;
  }
}
