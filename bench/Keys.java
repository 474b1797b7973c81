// Bulk API keys for the check benchmark (bench/check.sh): run as a single-file program,
//   java -cp <postgresql JDBC jar> bench/Keys.java <jdbc-url> <user> <password> <hmac-secret>
//        <count> <working-set> <keys-file> [<unknown-keys-file>]
// It inserts <count> well-formed keys (SPEC §2: kp_<32 base62><6-char base62 CRC32>, stored as
// base64(HMAC-SHA256(secret, key))) for a dedicated user "bench@example.com" on product petstore,
// plan unlimited, with one COPY; writes the first <working-set> key values to <keys-file>, one a
// line; writes as many well-formed keys that are inserted nowhere to <unknown-keys-file> when given
// (a flood of unknown keys); and prints the number of keys inserted. Keys get distinct names (bench-0000001...), as the
// live-name unique index requires.
//
// The load runs with session_replication_role = replica: the row triggers are skipped, so Keyport's
// change feed is not handed a million "key:<hash>" notifications (nothing is cached yet for these
// keys), and neither are the foreign-key checks (every id comes from the rows read just before).
// So at the end it sends NOTIFY keyport_changes 'all', as any bulk load without the triggers must:
// every node then drops its caches and reads its index of live hashes again.

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.UUID;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

public class Keys {

  static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static final String PREFIX = "kp";
  static final String USER = "bench@example.com";
  static final String PRODUCT = "petstore";
  static final String PLAN = "unlimited";

  public static void main(String[] args) throws Exception {
    if (args.length != 7 && args.length != 8) {
      System.err.println(
          "usage: Keys <jdbc-url> <user> <password> <hmac-secret> <count> <working-set> <keys-file>"
              + " [<unknown-keys-file>]");
      System.exit(2);
    }
    int count = Integer.parseInt(args[4]);
    int workingSet = Math.min(count, Integer.parseInt(args[5]));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(args[3].getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    SecureRandom random = new SecureRandom();
    Base64.Encoder base64 = Base64.getEncoder();

    try (Connection db = DriverManager.getConnection(args[0], args[1], args[2]);
        BufferedWriter keysFile = Files.newBufferedWriter(Path.of(args[6]))) {
      db.setAutoCommit(false);
      try (Statement s = db.createStatement()) {
        s.execute("set local session_replication_role = replica");
      }
      long userId =
          id(
              db,
              "insert into app_user (username, display_name, enabled) values (?, 'Benchmark keys',"
                  + " true) on conflict (username) do update set enabled = true returning id",
              USER);
      long productId = id(db, "select id from api_product where slug = ?", PRODUCT);
      long planId =
          id(
              db,
              "select pl.id from usage_plan pl join product_plan pp on pp.plan_id = pl.id"
                  + " where pl.name = ? and pp.product_id = " + productId,
              PLAN);
      long offset;
      try (Statement s = db.createStatement();
          ResultSet r = s.executeQuery("select count(*) from api_key where user_id = " + userId)) {
        r.next();
        offset = r.getLong(1); // a second load into the same database keeps names distinct
      }

      CopyIn copy =
          db.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn(
                  "copy api_key (id, user_id, product_id, plan_id, name, key_hash, hint)"
                      + " from stdin");
      StringBuilder rows = new StringBuilder(1 << 20);
      String fixed = "\t" + userId + "\t" + productId + "\t" + planId + "\t";
      for (int i = 0; i < count; i++) {
        String key = newKey(random);
        String hash = base64.encodeToString(mac.doFinal(key.getBytes(StandardCharsets.US_ASCII)));
        rows.append(randomUuid(random))
            .append(fixed)
            .append(String.format("bench-%07d", offset + i + 1))
            .append('\t')
            .append(hash)
            .append('\t')
            .append(key, 0, PREFIX.length() + 1 + 4)
            .append('…')
            .append('\n');
        if (i < workingSet) {
          keysFile.write(key);
          keysFile.newLine();
        }
        if (rows.length() > (1 << 20) - 512) {
          byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
          copy.writeToCopy(bytes, 0, bytes.length);
          rows.setLength(0);
        }
      }
      byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
      copy.writeToCopy(bytes, 0, bytes.length);
      long inserted = copy.endCopy();
      db.commit();
      db.setAutoCommit(true);
      try (Statement s = db.createStatement()) {
        s.execute("analyze api_key");
        s.execute("notify keyport_changes, 'all'");
      }
      if (args.length == 8) {
        try (BufferedWriter unknown = Files.newBufferedWriter(Path.of(args[7]))) {
          for (int i = 0; i < workingSet; i++) {
            unknown.write(newKey(random));
            unknown.newLine();
          }
        }
      }
      System.out.println(inserted);
    }
  }

  /** A version-4 UUID from the given generator. */
  static String randomUuid(SecureRandom random) {
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & ~(0xC000000000000000L)) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  /** A key as SPEC §2 shapes it: prefix, '_', 32 base62 characters, base62 CRC32 of 6. */
  static String newKey(SecureRandom random) {
    StringBuilder key = new StringBuilder(PREFIX.length() + 1 + 32 + 6);
    key.append(PREFIX).append('_');
    for (int i = 0; i < 32; i++) {
      key.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    CRC32 crc = new CRC32();
    crc.update(key.toString().getBytes(StandardCharsets.US_ASCII));
    long value = crc.getValue();
    char[] digits = new char[6];
    for (int i = 5; i >= 0; i--) {
      digits[i] = ALPHABET.charAt((int) (value % ALPHABET.length()));
      value /= ALPHABET.length();
    }
    return key.append(digits).toString();
  }

  static long id(Connection db, String sql, String parameter) throws SQLException {
    try (PreparedStatement s = db.prepareStatement(sql)) {
      s.setString(1, parameter);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          throw new IllegalStateException("not found (is the demo data seeded?): " + parameter);
        }
        return r.getLong(1);
      }
    }
  }
}
