package io.keyport.it;

import io.keyport.platform.launcher.EmbeddedDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * One real PostgreSQL for the whole integration test run, started before the first test on the port
 * Maven reserved ({@code it.db.port}); Payara Micro reaches it through {@code KEYPORT_DB_URL},
 * which failsafe sets. Unit test runs, which have no such port, start nothing.
 */
public class TestDatabase implements LauncherSessionListener {

  private static EmbeddedPostgres postgres;
  private static DatabaseLink link;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    String port = System.getProperty("it.db.port");
    if (port == null || postgres != null) {
      return;
    }
    try {
      Path dir = Files.createTempDirectory("keyport-it-postgres-");
      postgres = EmbeddedDatabase.start(dir, Integer.parseInt(port));
      link =
          new DatabaseLink(
              Integer.parseInt(System.getProperty("it.dblink.port")), postgres.getPort());
      link.open();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "The integration tests need PostgreSQL, and the embedded one did not start on port "
              + port
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (link != null) {
      try {
        link.cut();
      } catch (IOException ignored) {
        // the run is over
      }
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        postgres = null;
      }
    }
  }

  /** Cuts Keyport off its database: open connections drop, new ones are refused. */
  public static void cutKeyportOff() throws IOException {
    link.cut();
  }

  /** Lets Keyport reach its database again. */
  public static void reconnectKeyport() throws IOException {
    link.open();
  }

  /**
   * Silences Keyport's change feed without closing it, as a partition would: its connections stop
   * carrying bytes, while the database stays reachable for Keyport's other connections.
   */
  public static void freezeChangeFeed() {
    link.freezeFeed();
  }

  /** Lets the change feed's connections carry bytes again. */
  public static void thawChangeFeed() {
    link.thawFeed();
  }

  /** A connection to the test database, for tests that check what was written. */
  public static Connection connect() throws SQLException {
    return connect("postgres");
  }

  /** A connection to another database on the test server, one a test made for itself. */
  public static Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(url(database), "postgres", "postgres");
  }

  /**
   * The JDBC URL of a database on the test server, straight to PostgreSQL (not through the link
   * that DatabaseOutageIT cuts); its user and password are both {@code postgres}.
   */
  public static String url(String database) {
    return "jdbc:postgresql://localhost:" + System.getProperty("it.db.port") + "/" + database;
  }

  /**
   * A product and a plan of a test's own, both named {@code name}, the product routing {@code
   * /<name>/}, so a test can change limits without changing other tests' view of the demo data. The
   * plan's columns and values are given as SQL, e.g. {@code "requests_per_unit, rate_unit"} and
   * {@code "1000, 'MINUTE'"}. Retire it with {@link #retireProduct} when done.
   */
  public static void createProductWithPlan(String name, String planColumns, String planValues)
      throws SQLException {
    createProductWithPlan("postgres", name, planColumns, planValues);
  }

  /** {@link #createProductWithPlan(String, String, String)} in a test's own {@code database}. */
  public static void createProductWithPlan(
      String database, String name, String planColumns, String planValues) throws SQLException {
    try (Connection db = connect(database);
        Statement sql = db.createStatement()) {
      db.setAutoCommit(false);
      sql.executeUpdate(
          "insert into usage_plan (name, display_name, "
              + planColumns
              + ") values ('"
              + name
              + "', 'IT', "
              + planValues
              + ")");
      sql.executeUpdate(
          "insert into api_product (slug, display_name) values ('"
              + name
              + "', 'IT "
              + name
              + "')");
      sql.executeUpdate(
          "insert into product_route (product_id, path_prefix) select id, '/"
              + name
              + "/' from api_product where slug = '"
              + name
              + "'");
      sql.executeUpdate(
          "insert into product_plan (product_id, plan_id) select p.id, pl.id from api_product p,"
              + " usage_plan pl where p.slug = '"
              + name
              + "' and pl.name = '"
              + name
              + "'");
      db.commit();
    }
  }

  /** Takes a test's own product off the catalogue again, for the tests that read it. */
  public static void retireProduct(String slug) throws SQLException {
    try (Connection db = connect();
        PreparedStatement retire =
            db.prepareStatement("update api_product set retired_at = now() where slug = ?")) {
      retire.setString(1, slug);
      retire.executeUpdate();
    }
  }

  /**
   * The rows a query answers, each column by its label as text, with the parameters set as text
   * (cast them in the SQL: {@code ?::uuid}). A database that does not answer fails the test.
   */
  public static List<Map<String, String>> rows(String sql, String... parameters) {
    try (Connection db = connect();
        PreparedStatement query = db.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        query.setString(i + 1, parameters[i]);
      }
      List<Map<String, String>> rows = new ArrayList<>();
      try (ResultSet result = query.executeQuery()) {
        int columns = result.getMetaData().getColumnCount();
        while (result.next()) {
          Map<String, String> row = new LinkedHashMap<>();
          for (int c = 1; c <= columns; c++) {
            row.put(result.getMetaData().getColumnLabel(c), result.getString(c));
          }
          rows.add(row);
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(
          "The test database refused " + sql + ": " + e.getMessage(), e);
    }
  }

  /** The first column of the one row a query answers; no row fails the test. */
  public static String one(String sql, String... parameters) {
    List<Map<String, String>> rows = rows(sql, parameters);
    if (rows.isEmpty()) {
      throw new AssertionError("no row for " + sql + " with " + List.of(parameters));
    }
    return rows.get(0).values().iterator().next();
  }

  /** The number a {@code select count(*)} answers. */
  public static long count(String sql, String... parameters) {
    return Long.parseLong(one(sql, parameters));
  }
}
