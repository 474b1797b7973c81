package io.keyport.mirror;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** What Redis should hold for keys, read from PostgreSQL, the system of record. */
final class MirrorState {

  /** The three entries of one live key (SPEC §5), without the configured prefix. */
  record Entry(String uuid, String hash, String username, String json) {}

  private static final String LIVE =
      """
      select k.id, k.key_hash, u.username, k.name, pl.name, p.slug,
             extract(epoch from k.created_at)::bigint
        from api_key k
        join app_user u on u.id = k.user_id
        left join api_product p on p.id = k.product_id
        join usage_plan pl on pl.id = k.plan_id
       where k.revoked_at is null and (k.expires_at is null or k.expires_at > now())
         and u.enabled and (k.product_id is null or p.retired_at is null)
      """;

  private MirrorState() {}

  /** The entry of this key if it is live, else null (it must not be in Redis). */
  static Entry of(Connection connection, UUID keyId) throws SQLException {
    Map<String, Entry> one = read(connection, LIVE + " and k.id = ?", keyId);
    return one.isEmpty() ? null : one.values().iterator().next();
  }

  /** Every live key's entry, by hash. */
  static Map<String, Entry> all(Connection connection) throws SQLException {
    return read(connection, LIVE, null);
  }

  private static Map<String, Entry> read(Connection connection, String sql, UUID keyId)
      throws SQLException {
    Map<UUID, Map<String, String>> metadata = new HashMap<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "select key_id, meta_key, meta_value from api_key_metadata"
                + (keyId == null ? "" : " where key_id = ?"))) {
      if (keyId != null) {
        statement.setObject(1, keyId);
      }
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          metadata
              .computeIfAbsent(row.getObject(1, UUID.class), id -> new TreeMap<>())
              .put(row.getString(2), row.getString(3));
        }
      }
    }
    Map<String, Entry> entries = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      if (keyId != null) {
        statement.setObject(1, keyId);
      }
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          UUID id = row.getObject(1, UUID.class);
          String hash = row.getString(2);
          String username = row.getString(3);
          String json =
              GlooJson.of(
                  hash,
                  username,
                  id.toString(),
                  row.getString(4),
                  row.getString(5),
                  row.getString(6),
                  row.getLong(7),
                  metadata.getOrDefault(id, Map.of()));
          entries.put(hash, new Entry(id.toString(), hash, username, json));
        }
      }
    }
    return entries;
  }
}
