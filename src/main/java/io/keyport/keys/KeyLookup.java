package io.keyport.keys;

import io.keyport.platform.Database;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Finds the live key with a given hash, straight from PostgreSQL, for the check's cache. Plain JDBC
 * without a transaction: it is read-only and runs on the gateway's hot path on a cache miss.
 */
@ApplicationScoped
public class KeyLookup {

  private static final String KEY_BY_HASH =
      """
      select k.id, u.username, p.slug, pl.name, k.expires_at, k.key_hash = ?, k.previous_valid_until
        from api_key k
        join app_user u on u.id = k.user_id
        left join api_product p on p.id = k.product_id
        join usage_plan pl on pl.id = k.plan_id
       where (k.key_hash = ? or (k.previous_key_hash = ? and k.previous_valid_until > now()))
         and k.revoked_at is null and u.enabled
         and (k.product_id is null or p.retired_at is null)
      """;
  private static final String LIVE_HASHES =
      """
      select key_hash, case when previous_valid_until > now() then previous_key_hash end
        from api_key
       where revoked_at is null and (expires_at is null or expires_at > now())
      """;
  private static final int HASHES_PER_FETCH = 10_000;
  private static final String RANGES = "select cidr from api_key_cidr where key_id = ?";
  private static final String METHODS =
      "select method from api_key_scope_method where key_id = ? order by method";
  private static final String PREFIXES =
      "select path_prefix from api_key_scope_path where key_id = ? order by path_prefix";
  private static final String CREDITS =
      "select remaining, refill_amount, refill_interval, refilled_at, generation"
          + " from api_key_credits where key_id = ?";
  private static final String METADATA =
      "select meta_key, meta_value from api_key_metadata where key_id = ?";

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  /**
   * The live key with this hash, or empty when there is none.
   *
   * @throws DatabaseUnavailable when PostgreSQL cannot answer
   */
  public Optional<LiveKey> find(String keyHash) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement byHash = connection.prepareStatement(KEY_BY_HASH)) {
      byHash.setString(1, keyHash);
      byHash.setString(2, keyHash);
      byHash.setString(3, keyHash);
      try (ResultSet row = byHash.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        UUID id = row.getObject(1, UUID.class);
        Timestamp expires = row.getTimestamp(5);
        LiveKey key =
            new LiveKey(
                id,
                row.getString(2),
                row.getString(3),
                row.getString(4),
                expires == null ? null : expires.toInstant(),
                metadata(connection, id),
                ranges(connection, id),
                new KeyScopes(strings(connection, METHODS, id), strings(connection, PREFIXES, id)),
                credits(connection, id));
        return Optional.of(
            row.getBoolean(6) ? key : previousValue(key, row.getTimestamp(7).toInstant()));
      }
    } catch (SQLException e) {
      throw new DatabaseUnavailable(e);
    }
  }

  /**
   * Hands {@code each} every hash a key may pass under now: each unrevoked, unexpired key's, and
   * the value's before its roll while the grace lasts. Read through a cursor, so a million keys
   * never sit in memory as rows. Whether the owner is enabled and the product live is left to
   * {@link #find}: this is what may be a key, not what passes.
   *
   * @throws DatabaseUnavailable when PostgreSQL cannot answer
   */
  public void eachLiveHash(Consumer<String> each) {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false); // PostgreSQL fetches in batches only inside a transaction
      try (PreparedStatement statement = connection.prepareStatement(LIVE_HASHES)) {
        statement.setFetchSize(HASHES_PER_FETCH);
        try (ResultSet row = statement.executeQuery()) {
          while (row.next()) {
            each.accept(row.getString(1));
            String previous = row.getString(2);
            if (previous != null) {
              each.accept(previous);
            }
          }
        }
      } finally {
        connection.rollback();
        connection.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new DatabaseUnavailable(e);
    }
  }

  /**
   * The key as the value it had before its last roll sees it (SPEC §11): the same key, passing
   * until {@code previousValidUntil} or its own expiry, whichever comes first. The check refuses it
   * from then on like an expired key, on every node, without waiting for a notification.
   */
  public static LiveKey previousValue(LiveKey key, Instant previousValidUntil) {
    Instant until =
        key.expiresAt() != null && key.expiresAt().isBefore(previousValidUntil)
            ? key.expiresAt()
            : previousValidUntil;
    return new LiveKey(
        key.id(),
        key.username(),
        key.product(),
        key.plan(),
        until,
        key.metadata(),
        key.allowedRanges(),
        key.scopes(),
        key.credits());
  }

  private static Map<String, String> metadata(Connection connection, UUID id) throws SQLException {
    Map<String, String> metadata = new TreeMap<>();
    try (PreparedStatement statement = connection.prepareStatement(METADATA)) {
      statement.setObject(1, id);
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          metadata.put(row.getString(1), row.getString(2));
        }
      }
    }
    return Map.copyOf(metadata);
  }

  private static List<AddressRange> ranges(Connection connection, UUID id) throws SQLException {
    List<AddressRange> ranges = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(RANGES)) {
      statement.setObject(1, id);
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          ranges.add(AddressRange.parse(row.getString(1)));
        }
      }
    }
    return List.copyOf(ranges);
  }

  private static List<String> strings(Connection connection, String query, UUID id)
      throws SQLException {
    List<String> values = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(query)) {
      statement.setObject(1, id);
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          values.add(row.getString(1));
        }
      }
    }
    return values;
  }

  /** The key's credits, or null when it has no credit limit. */
  public KeyCredits credits(UUID id) {
    try (Connection connection = dataSource.getConnection()) {
      return credits(connection, id);
    } catch (SQLException e) {
      throw new DatabaseUnavailable(e);
    }
  }

  private static KeyCredits credits(Connection connection, UUID id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(CREDITS)) {
      statement.setObject(1, id);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return null;
        }
        long amount = row.getLong(2);
        String interval = row.getString(3);
        return new KeyCredits(
            row.getLong(1),
            interval == null ? null : amount,
            interval == null ? null : RefillInterval.valueOf(interval),
            row.getTimestamp(4).toInstant(),
            row.getLong(5));
      }
    }
  }

  /** PostgreSQL could not be reached or did not answer. */
  public static class DatabaseUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatabaseUnavailable(SQLException cause) {
      super("The database cannot be reached: " + cause.getMessage(), cause);
    }
  }
}
