package io.keyport.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.keyport.it.TestDatabase;
import io.keyport.testsupport.Chromium;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportNode;
import io.keyport.testsupport.Ports;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Two Keyport nodes run as one cluster, as the README tells an operator to: each through the
 * launcher with {@code KEYPORT_CLUSTER} (Payara Micro's Hazelcast, TCP/IP discovery, a cluster name
 * of this test's own so no other test's node joins), over one PostgreSQL database made empty for
 * this test, behind Debian's nginx running {@code examples/load-balancer/nginx-portal.conf} (round
 * robin, no stickiness). Two starts of Payara Micro in all:
 *
 * <ul>
 *   <li>both nodes start at the same moment on the empty database: the schema is migrated once, the
 *       demo data seeded once;
 *   <li>a developer signs in through nginx in Chromium; the node that signed the session in is
 *       killed (SIGKILL) while the key list it served is open; the other node answers the page's
 *       ajax delete (deleting the key, or saying the page has expired, as docs/operations.md
 *       records), and the next pages work there without signing in again.
 * </ul>
 */
@Execution(ExecutionMode.CONCURRENT)
class FailoverIT {

  private static final String DATABASE = "keyport_concurrent";

  /** Two Payara Micro starts at once take a minute on two idle cores, many on busy ones. */
  private static final Duration START_PATIENCE = Duration.ofSeconds(480);

  private static final Duration CLUSTER_PATIENCE = Duration.ofSeconds(120);
  private static final Duration PAGE_PATIENCE = Duration.ofSeconds(30);

  /** The first requests after a node dies wait for the data grid to notice and to promote. */
  private static final Duration FAILOVER_PATIENCE = Duration.ofSeconds(120);

  private static final String SEEDED = "Seeded the demo data";
  private static final Pattern TWO_MEMBERS = Pattern.compile("Members \\{size:2\\b|DG Size: 2\\b");

  private static final By DELETED =
      By.xpath("//*[contains(@class,'ui-growl-message')][contains(.,'is deleted')]");

  private static final List<AutoCloseable> RUNNING = new ArrayList<>();
  private static KeyportNode a;
  private static KeyportNode b;
  private static GatewayProcess balancer;

  @BeforeAll
  static void startTwoClusteredNodesAtOnceOnAnEmptyDatabase() throws Exception {
    try (Connection db = TestDatabase.connect();
        Statement sql = db.createStatement()) {
      sql.execute("drop database if exists " + DATABASE + " with (force)");
      sql.execute("create database " + DATABASE);
    }
    int gridA = Ports.free();
    int gridB = Ports.free();
    Map<String, String> cluster = new HashMap<>();
    cluster.put("KEYPORT_DB_URL", TestDatabase.url(DATABASE));
    cluster.put("KEYPORT_DB_USER", "postgres");
    cluster.put("KEYPORT_DB_PASSWORD", "postgres");
    cluster.put("KEYPORT_DEMO_SEED", "true");
    cluster.put("KEYPORT_CLUSTER", "tcpip:127.0.0.1:" + gridA + ",127.0.0.1:" + gridB);
    cluster.put("KEYPORT_CLUSTER_NAME", "keyport-failover-" + UUID.randomUUID());
    cluster.put("KEYPORT_CLUSTER_INTERFACES", "127.0.0.1");
    // Both nodes share one address: host-aware backups would have no other host to go to.
    cluster.put("KEYPORT_CLUSTER_HOST_AWARE", "false");
    Map<String, String> envA = new HashMap<>(cluster);
    envA.put("KEYPORT_CLUSTER_PORT", Integer.toString(gridA));
    Map<String, String> envB = new HashMap<>(cluster);
    envB.put("KEYPORT_CLUSTER_PORT", Integer.toString(gridB));

    // Both at the same moment: neither finds a schema, both reach Flyway and the seed together.
    a = KeyportNode.launch("node-a", envA);
    RUNNING.add(a);
    b = KeyportNode.launch("node-b", envB);
    RUNNING.add(b);
    long start = System.nanoTime();
    a.awaitReady(START_PATIENCE);
    b.awaitReady(START_PATIENCE);
    System.out.printf(
        "[failover] both nodes answered /ping %d s after they were launched together%n",
        (System.nanoTime() - start) / 1_000_000_000);
    for (KeyportNode node : List.of(a, b)) {
      node.awaitLog(
          line -> TWO_MEMBERS.matcher(line).find(),
          "a data grid of two members (the nodes did not cluster)",
          CLUSTER_PATIENCE);
    }
    balancer =
        GatewayProcess.nginx(
            "nginx",
            Path.of("examples", "load-balancer", "nginx-portal.conf"),
            Map.of("NODE_A", a.address(), "NODE_B", b.address()),
            "PORTAL_LISTEN");
    RUNNING.add(balancer);
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (balancer != null) {
      // Which node served what, for reading after the run (the nodes keep their logs there too).
      Path kept = Path.of("target", "failover-logs");
      Files.createDirectories(kept);
      Files.write(kept.resolve("nginx-access.log"), balancer.accessLog());
    }
    List<AutoCloseable> running = new ArrayList<>(RUNNING);
    Collections.reverse(running);
    RUNNING.clear();
    for (AutoCloseable server : running) {
      server.close();
    }
  }

  @Test
  void twoNodesStartingTogetherOnAnEmptyDatabaseMigrateAndSeedItOnce() throws Exception {
    Map<String, Integer> everyVersionOnce = new TreeMap<>();
    for (String version : migrationVersions()) {
      everyVersionOnce.put(version, 1);
    }
    try (Connection db = TestDatabase.connect(DATABASE)) {
      assertEquals(
          everyVersionOnce,
          counts(
              db,
              "select version, count(*) from flyway_schema_history"
                  + " where version is not null and success group by version"),
          "each migration applied once, successfully");
      assertEquals(
          Map.of(),
          counts(
              db,
              "select coalesce(version, description), count(*) from flyway_schema_history"
                  + " where not success group by 1"),
          "failed migrations");
      assertEquals(
          Map.of("admin@example.com", 1, "dev@example.com", 1),
          counts(db, "select username, count(*) from app_user group by username"));
      assertEquals(
          Map.of("bronze", 1, "silver", 1, "gold", 1, "unlimited", 1),
          counts(db, "select name, count(*) from usage_plan group by name"));
      assertEquals(
          Map.of("petstore", 1, "tracks", 1),
          counts(db, "select slug, count(*) from api_product group by slug"));
      assertEquals(
          Map.of("demo_seeded", 1),
          counts(
              db,
              "select name, count(*) from keyport_state where name = 'demo_seeded' group by name"));
    }
    List<String> seeders =
        Stream.of(a, b).filter(n -> n.log().contains(SEEDED)).map(KeyportNode::name).toList();
    assertEquals(1, seeders.size(), "nodes that seeded the demo data: " + seeders);
  }

  @Test
  void aSignedInDeveloperCarriesOnOnTheOtherNodeWhenTheirNodeDies() throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String doomed = "failover-" + tag + "-deleted";
    String kept = "failover-" + tag + "-kept";
    Http api = new Http(a.url());
    createKey(api, doomed);
    createKey(api, kept);

    try (Chromium chromium = Chromium.start()) {
      WebDriver browser = chromium.browser();
      WebDriverWait page = chromium.waiting(PAGE_PATIENCE);
      try {
        // 1. Through nginx: the key list sends an anonymous visitor to sign in, and back after.
        browser.get(balancer.uri("/portal/keys.xhtml").toString());
        page.until(ExpectedConditions.urlContains("/login.xhtml"));
        signIn(page, browser, "dev@example.com", "dev");
        page.until(ExpectedConditions.textToBe(By.tagName("h1"), "My API keys"));
        KeyportNode home = servedLast("POST", "/login.xhtml");
        KeyportNode other = home == a ? b : a;
        System.out.printf(
            "[failover] %s signed the session in; cookies %s%n",
            home, browser.manage().getCookies().stream().map(Cookie::getName).sorted().toList());

        // 2. No stickiness needed: either node, asked directly, serves the signed-in session.
        String cookies =
            browser.manage().getCookies().stream()
                .map(c -> c.getName() + "=" + c.getValue())
                .collect(Collectors.joining("; "));
        assertTrue(
            browser.manage().getCookies().stream()
                .map(Cookie::getName)
                .anyMatch("JSESSIONID"::equals),
            "no session cookie after signing in: " + browser.manage().getCookies());
        for (KeyportNode node : List.of(a, b)) {
          Http direct = new Http(node.url());
          HttpResponse<String> keys =
              direct.send(direct.request("portal/keys.xhtml").header("Cookie", cookies));
          assertEquals(
              200, keys.statusCode(), node + " did not know the session: " + keys.headers());
          assertTrue(keys.body().contains(doomed), node + " did not list the developer's keys");
        }

        // 3. The key list again, until the node that signed the session in has served it (round
        // robin also spreads the page's resources, so it may take a few loads).
        for (int load = 0; load < 8 && servedLast("GET", "/portal/keys.xhtml") != home; load++) {
          browser.get(balancer.uri("/portal/keys.xhtml").toString());
          page.until(ExpectedConditions.textToBe(By.tagName("h1"), "My API keys"));
        }
        assertEquals(home, servedLast("GET", "/portal/keys.xhtml"), "who served the key list");
        visible(page, keyRow(doomed));

        // 4. That node dies, with the page it rendered open in the browser.
        int before = balancer.accessLog().size();
        home.kill();
        long died = System.nanoTime();
        System.out.printf("[failover] %s killed (SIGKILL) at %s%n", home, Instant.now());

        // 5. An ajax action on that page: delete a key. It reaches the other node, which either has
        // the page's view state and deletes the key, or (documented in docs/operations.md) answers
        // that the page has expired; then it is opened again, signed in, and the delete works.
        delete(page, browser, doomed);
        WebDriverWait failover = chromium.waiting(FAILOVER_PATIENCE);
        try {
          failover.until(
              driver ->
                  driver.getCurrentUrl().contains("/error/expired.xhtml")
                      || (driver.findElements(keyRow(doomed)).isEmpty()
                          && !driver.findElements(DELETED).isEmpty()));
        } catch (TimeoutException e) {
          fail(
              "the ajax delete after the failover neither deleted nor expired within "
                  + FAILOVER_PATIENCE.toSeconds()
                  + " s\n"
                  + evidence(browser, before),
              e);
        }
        boolean expired = browser.getCurrentUrl().contains("/error/expired.xhtml");
        System.out.printf(
            "[failover] the ajax delete %s %d ms after the node died%n",
            expired ? "answered 'page expired'" : "deleted the key",
            (System.nanoTime() - died) / 1_000_000);
        assertEquals(other, servedLast("POST", "/portal/keys.xhtml"), "who answered the delete");
        if (expired) {
          page.until(driver -> driver.getPageSource().contains("This page has expired"));
          openKeyList(page, browser);
          delete(page, browser, doomed);
          page.until(ExpectedConditions.invisibilityOfElementLocated(keyRow(doomed)));
        }
        WebElement deleted = visible(page, DELETED);
        assertTrue(deleted.getText().contains(doomed), "deletion message: " + deleted.getText());
        HttpResponse<String> remaining =
            new Http(other.url()).api("GET", "api/v1/api-keys", "dev@example.com", "dev", null);
        assertEquals(200, remaining.statusCode(), remaining.body());
        assertFalse(remaining.body().contains(doomed), "the deleted key is still there");
        assertTrue(remaining.body().contains(kept), "the other key is gone too");

        // 6. The next page loads on the other node as the same developer: no sign-in.
        openKeyList(page, browser);
        visible(page, keyRow(kept));
        assertTrue(browser.findElements(keyRow(doomed)).isEmpty(), "the deleted key is listed");
        assertEquals("Demo Developer", visible(page, By.cssSelector(".kp-user")).getText().trim());
        assertEquals(other, servedLast("GET", "/portal/keys.xhtml"), "who served the key list");
        List<String> signIns =
            balancer.accessLog().subList(before, balancer.accessLog().size()).stream()
                .filter(line -> line.contains("/login.xhtml"))
                .toList();
        assertEquals(List.of(), signIns, "requests to the login page after the failover");
        assertFalse(home.isAlive(), home + " is still running");
      } catch (AssertionError | RuntimeException failure) {
        keepEvidence(browser);
        throw failure;
      }
    }
  }

  /** Opens the key list through nginx; it must not send the developer to sign in. */
  private static void openKeyList(WebDriverWait page, WebDriver browser) {
    browser.get(balancer.uri("/portal/keys.xhtml").toString());
    page.until(
        driver ->
            driver.getCurrentUrl().contains("/login.xhtml")
                || driver.findElements(By.tagName("h1")).stream()
                    .anyMatch(h1 -> h1.getText().equals("My API keys")));
    assertFalse(
        browser.getCurrentUrl().contains("/login.xhtml"),
        "the key list sent the developer to sign in again: the session did not survive");
  }

  /** Presses a key's delete button on the key list and confirms. */
  private static void delete(WebDriverWait page, WebDriver browser, String name) {
    visible(page, keyRow(name)).findElement(By.cssSelector("button[id$=':delete']")).click();
    visible(page, By.id("keysForm:confirmDelete"));
    Chromium.settled(page);
    browser.findElement(By.id("keysForm:confirmYes")).click();
  }

  private static void signIn(WebDriverWait page, WebDriver browser, String user, String password) {
    WebElement username = visible(page, By.id("login:username"));
    username.clear();
    username.sendKeys(user);
    WebElement secret = browser.findElement(By.id("login:password"));
    secret.clear();
    secret.sendKeys(password);
    WebElement submit = browser.findElement(By.id("login:submit"));
    submit.click();
    Chromium.left(page, submit);
  }

  private static void createKey(Http node, String name) {
    HttpResponse<String> created =
        node.api(
            "POST",
            "api/v1/api-keys",
            "dev@example.com",
            "dev",
            "{\"apiKeyName\":\"" + name + "\",\"apiProduct\":\"petstore\",\"usagePlan\":\"gold\"}");
    assertEquals(201, created.statusCode(), created.body());
  }

  /**
   * The node that answered the latest {@code method} request for {@code path} through nginx: the
   * last address in its access log line (earlier ones were tried and failed).
   */
  private static KeyportNode servedLast(String method, String path) {
    List<String> log = balancer.accessLog();
    for (int i = log.size() - 1; i >= 0; i--) {
      String[] fields = log.get(i).split(" ", 4);
      if (fields.length == 4
          && fields[0].equals(method)
          && fields[1].split("\\?", 2)[0].equals(path)
          && fields[3].startsWith("upstream=")) {
        String[] tried = fields[3].substring("upstream=".length()).split(", ");
        String address = tried[tried.length - 1].strip();
        for (KeyportNode node : List.of(a, b)) {
          if (node.address().equals(address)) {
            return node;
          }
        }
        fail("nginx passed " + method + " " + path + " to " + address + ", no node of this test");
      }
    }
    return fail("nginx has no " + method + " " + path + " in its access log:\n" + log);
  }

  private static By keyRow(String name) {
    return By.xpath(
        "//tbody[@id='keysForm:keys_data']/tr"
            + "[.//*[contains(@class,'kp-key-name') and normalize-space()='"
            + name
            + "']]");
  }

  private static WebElement visible(WebDriverWait wait, By locator) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(locator));
  }

  /** The versions of the migrations in db/migrations, as Flyway records them. */
  private static List<String> migrationVersions() throws IOException {
    Pattern versioned = Pattern.compile("V(\\d+(?:[._]\\d+)*)__.+\\.sql");
    try (Stream<Path> files = Files.list(Path.of("db", "migrations"))) {
      List<String> versions =
          files
              .map(f -> versioned.matcher(f.getFileName().toString()))
              .filter(Matcher::matches)
              .map(m -> m.group(1).replace('_', '.'))
              .sorted()
              .toList();
      assertFalse(versions.isEmpty(), "no migrations in db/migrations");
      return versions;
    }
  }

  private static Map<String, Integer> counts(Connection db, String query) throws SQLException {
    Map<String, Integer> counts = new TreeMap<>();
    try (Statement sql = db.createStatement();
        ResultSet rows = sql.executeQuery(query)) {
      while (rows.next()) {
        counts.put(rows.getString(1), rows.getInt(2));
      }
    }
    return counts;
  }

  private static String evidence(WebDriver browser, int accessLogFrom) {
    List<String> log = balancer.accessLog();
    return "--- nginx since the failover\n"
        + String.join("\n", log.subList(Math.min(accessLogFrom, log.size()), log.size()))
        + "\n--- page "
        + browser.getCurrentUrl()
        + "\n"
        + Stream.of(a, b)
            .filter(KeyportNode::isAlive)
            .map(KeyportNode::logTail)
            .findFirst()
            .orElse("");
  }

  /** What the browser showed when the walk failed, to read next to the assertion message. */
  private static void keepEvidence(WebDriver browser) {
    try {
      Path dir = Path.of("target", "failover-logs");
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("failure.html"),
          browser.getCurrentUrl() + "\n" + browser.getPageSource(),
          StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      System.err.println("could not keep the browser's evidence: " + e.getMessage());
    }
  }
}
