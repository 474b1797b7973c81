package io.keyport.mirror;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/** What Redis should hold for keys, read from PostgreSQL, the system of record. */
final class MirrorState {

  /**
   * The three entries of one live key (SPEC §5), without the configured prefix. A key in the grace
   * of a roll has a second one for its previous value, {@code graceUntil} set: its hash and JSON
   * and its place in the user's set, but not the {@code <uuid>} entry, which names the key's value.
   */
  record Entry(String uuid, String hash, String username, String json, Instant graceUntil) {

    /** Whether this is the key's value now, not a previous one in its grace. */
    boolean current() {
      return graceUntil == null;
    }
  }

  private static final String LIVE =
      """
      select k.id, k.key_hash, u.username, k.name, pl.name, p.slug,
             extract(epoch from k.created_at)::bigint, k.previous_key_hash,
             case when k.previous_valid_until > now()
                  then least(k.previous_valid_until, k.expires_at) end
        from api_key k
        join app_user u on u.id = k.user_id
        left join api_product p on p.id = k.product_id
        join usage_plan pl on pl.id = k.plan_id
       where k.revoked_at is null and (k.expires_at is null or k.expires_at > now())
         and u.enabled and (k.product_id is null or p.retired_at is null)
      """;

  private MirrorState() {}

  /**
   * The entries of this key if it is live: its value's, and its previous value's during a grace;
   * none when it must not be in Redis.
   */
  static List<Entry> of(Connection connection, UUID keyId) throws SQLException {
    return List.copyOf(read(connection, LIVE + " and k.id = ?", keyId).values());
  }

  /** Every hash this key has had a row for in Redis' eyes: its value's and its previous one's. */
  static Set<String> hashesOf(Connection connection, UUID keyId) throws SQLException {
    Set<String> hashes = new HashSet<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "select key_hash, previous_key_hash from api_key where id = ?")) {
      statement.setObject(1, keyId);
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          hashes.add(row.getString(1));
          if (row.getString(2) != null) {
            hashes.add(row.getString(2));
          }
        }
      }
    }
    return hashes;
  }

  /** Every live key's entries, by hash (a key in grace has two). */
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
          String username = row.getString(3);
          Map<String, String> custom = metadata.getOrDefault(id, Map.of());
          List<String> hashes = new ArrayList<>();
          hashes.add(row.getString(2));
          Timestamp graceUntil = row.getTimestamp(9);
          if (graceUntil != null) {
            hashes.add(row.getString(8));
          }
          for (String hash : hashes) {
            String json =
                GlooJson.of(
                    hash,
                    username,
                    id.toString(),
                    row.getString(4),
                    row.getString(5),
                    row.getString(6),
                    row.getLong(7),
                    custom);
            boolean current = hash.equals(row.getString(2));
            entries.put(
                hash,
                new Entry(
                    id.toString(), hash, username, json, current ? null : graceUntil.toInstant()));
          }
        }
      }
    }
    return entries;
  }
}
