package io.keyport.it;

import io.keyport.platform.launcher.EmbeddedDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
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
}
