package io.keyport.limits;

import io.keyport.platform.Database;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Traffic over all keys, for the admin dashboard: per hour over the last 24 hours from {@code
 * key_usage} (every node's counts, within seconds), per minute over the last hour from this node's
 * memory ({@link RecentTraffic}), and the busiest keys.
 */
@ApplicationScoped
public class Traffic {

  /** Requests in one hour, by outcome, in {@link RecentTraffic#OUTCOMES}' order. */
  public record Hour(Instant start, Map<String, Long> counts) {}

  /** A key and what it was asked for in the period. */
  public record TopKey(
      UUID id,
      String name,
      String owner,
      String product,
      String plan,
      String hint,
      long admitted,
      long refused) {

    public long total() {
      return admitted + refused;
    }
  }

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  @Inject private RecentTraffic recent;

  /** This node's last 60 minutes, oldest first. */
  public List<RecentTraffic.Minute> lastHourOnThisNode() {
    return recent.lastHour(System.currentTimeMillis());
  }

  /** The last 24 hours (this one included), oldest first, every node together. */
  public List<Hour> last24Hours() {
    Instant first = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(23, ChronoUnit.HOURS);
    Map<Instant, Map<String, Long>> hours = new LinkedHashMap<>();
    for (int i = 0; i < 24; i++) {
      Map<String, Long> zero = new LinkedHashMap<>();
      RecentTraffic.OUTCOMES.forEach(o -> zero.put(o, 0L));
      hours.put(first.plus(i, ChronoUnit.HOURS), zero);
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "select hour, outcome, sum(count) from key_usage where hour >= ?"
                    + " group by hour, outcome")) {
      query.setTimestamp(1, Timestamp.from(first));
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          Map<String, Long> hour = hours.get(row.getTimestamp(1).toInstant());
          if (hour != null) {
            hour.merge(row.getString(2), row.getLong(3), Long::sum);
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Traffic cannot be read now: " + e.getMessage(), e);
    }
    List<Hour> result = new ArrayList<>();
    hours.forEach((start, counts) -> result.add(new Hour(start, counts)));
    return result;
  }

  /** The {@code limit} keys asked for most in the last 24 hours, busiest first. */
  public List<TopKey> topKeys(int limit) {
    Instant since = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(23, ChronoUnit.HOURS);
    List<TopKey> top = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                """
                select k.id, k.name, u.username, p.slug, pl.name, k.hint,
                       sum(case when t.outcome = 'admitted' then t.count else 0 end),
                       sum(case when t.outcome = 'admitted' then 0 else t.count end)
                  from key_usage t
                  join api_key k on k.id = t.key_id
                  join app_user u on u.id = k.user_id
                  left join api_product p on p.id = k.product_id
                  join usage_plan pl on pl.id = k.plan_id
                 where t.hour >= ?
                 group by k.id, k.name, u.username, p.slug, pl.name, k.hint
                 order by sum(t.count) desc, k.id
                 limit ?
                """)) {
      query.setTimestamp(1, Timestamp.from(since));
      query.setInt(2, limit);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          top.add(
              new TopKey(
                  row.getObject(1, UUID.class),
                  row.getString(2),
                  row.getString(3),
                  row.getString(4),
                  row.getString(5),
                  row.getString(6),
                  row.getLong(7),
                  row.getLong(8)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Traffic cannot be read now: " + e.getMessage(), e);
    }
    return top;
  }
}
