package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium through its chromedriver, with a profile of its own, for a test's walk
 * through pages; Selenium Manager never runs, so nothing is downloaded. A missing package fails the
 * test that needs it, naming the package. Screenshots go to {@code it.screenshots.dir}.
 */
public final class Chromium implements AutoCloseable {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final Path profile;
  private final ChromeDriverService service;
  private final WebDriver browser;
  private final WebDriverWait wait;

  private Chromium(Path profile, ChromeDriverService service, WebDriver browser) {
    this.profile = profile;
    this.service = service;
    this.browser = browser;
    this.wait = waiting(PATIENCE);
  }

  /** A window of 1366 × 900. */
  public static Chromium start() {
    return start(1366, 900);
  }

  public static Chromium start(int width, int height) {
    return start(width, height, new String[0]);
  }

  /**
   * As {@link #start(int, int)}, with more command-line switches, such as {@code
   * --host-resolver-rules=MAP portal.example.test 127.0.0.1:8000} to reach a local server by name.
   */
  public static Chromium start(int width, int height, String... extraArguments) {
    require(CHROMIUM, "Chromium", "chromium");
    require(CHROMEDRIVER, "chromedriver", "chromium-driver");
    Path profile;
    try {
      profile = Files.createTempDirectory("keyport-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // A driver path given up front keeps Selenium Manager, which would download one, out of play.
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=" + width + "," + height,
        "--user-data-dir=" + profile);
    options.addArguments(extraArguments);
    // The browser's console, where Chromium reports whatever the page's Content Security Policy
    // blocked ({@link #cspViolations}).
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
    return new Chromium(profile, service, new ChromeDriver(service, options));
  }

  /**
   * What Chromium's console reported as blocked by the page's Content Security Policy since the
   * last call (an inline script or handler, eval, a foreign source): on a working page, nothing.
   */
  public List<String> cspViolations() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .map(LogEntry::getMessage)
        .filter(m -> m.contains("Content Security Policy"))
        .toList();
  }

  public WebDriver browser() {
    return browser;
  }

  /** A wait of 20 s that lets ajax updates and page loads replace elements between two polls. */
  public WebDriverWait waiting() {
    return wait;
  }

  /** The same, with another patience. */
  public WebDriverWait waiting(Duration patience) {
    WebDriverWait waiting = new WebDriverWait(browser, patience);
    waiting.ignoring(StaleElementReferenceException.class);
    return waiting;
  }

  /** Waits for jQuery animations (dialogs, slides) to finish. */
  public void settled() {
    settled(wait);
  }

  /** Waits, with {@code wait}, for jQuery animations (dialogs, slides) to finish. */
  public static void settled(WebDriverWait wait) {
    wait.until(
        driver ->
            (Boolean)
                ((JavascriptExecutor) driver)
                    .executeScript("return !window.jQuery || jQuery(':animated').length === 0;"));
  }

  /**
   * Waits, with {@code wait}, until {@code element} has left the page (a navigation replaced it).
   * Chrome reports a node of a replaced document as "does not belong to the document" rather than
   * as stale, so that counts as gone too.
   */
  public static void left(WebDriverWait wait, WebElement element) {
    wait.until(
        driver -> {
          try {
            element.isEnabled();
            return false;
          } catch (StaleElementReferenceException gone) {
            return true;
          } catch (WebDriverException e) {
            if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
              return true;
            }
            throw e;
          }
        });
  }

  /** The window as it is now, into {@code it.screenshots.dir}. */
  public void capture(String file) throws IOException {
    Files.createDirectories(directory());
    Files.write(
        directory().resolve(file), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  /** The window once animations have finished. */
  public void screenshot(String file) throws IOException {
    settled();
    capture(file);
  }

  /** The whole page, however long, at the window's width; the window is restored afterwards. */
  public void fullPageScreenshot(String file) throws IOException {
    fullPageScreenshot(file, Integer.MAX_VALUE);
  }

  /** The whole page up to {@code maxHeight} pixels. */
  public void fullPageScreenshot(String file, int maxHeight) throws IOException {
    settled();
    Dimension window = browser.manage().window().getSize();
    long height =
        (Long)
            ((JavascriptExecutor) browser)
                .executeScript("return Math.ceil(document.documentElement.scrollHeight);");
    browser
        .manage()
        .window()
        .setSize(new Dimension(window.getWidth(), (int) Math.min(height + 140, maxHeight)));
    try {
      capture(file);
    } finally {
      browser.manage().window().setSize(window);
    }
  }

  /** What the browser showed when a walk failed, to read beside the assertion message. */
  public void keepEvidence(String prefix) {
    try {
      capture(prefix + ".png");
      Files.writeString(
          directory().resolve(prefix + ".html"),
          browser.getCurrentUrl() + "\n" + browser.getPageSource(),
          StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException ignored) {
      // The original failure matters more than the evidence.
    }
  }

  /** Where screenshots go: {@code it.screenshots.dir}, else target/screenshots. */
  public static Path directory() {
    return Path.of(System.getProperty("it.screenshots.dir", "target/screenshots"));
  }

  @Override
  public void close() {
    try {
      browser.quit();
    } finally {
      service.stop();
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temporary profile; Chromium may still be writing to it
      }
    }
  }

  private static void require(Path executable, String what, String debianPackage) {
    if (!Files.isExecutable(executable)) {
      fail(
          "This test needs "
              + what
              + " at "
              + executable
              + ", which is missing: install the Debian package '"
              + debianPackage
              + "' (.ci/test does this)");
    }
  }
}
