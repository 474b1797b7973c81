package io.keyport.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium through its chromedriver, with a profile of its own; Selenium Manager
 * never runs, so nothing is downloaded. A missing package fails the test that needs it.
 */
final class Chromium implements AutoCloseable {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final Path profile;
  private final ChromeDriverService service;
  private final WebDriver browser;

  private Chromium(Path profile, ChromeDriverService service, WebDriver browser) {
    this.profile = profile;
    this.service = service;
    this.browser = browser;
  }

  static Chromium start() throws IOException {
    require(CHROMIUM, "Chromium", "chromium");
    require(CHROMEDRIVER, "chromedriver", "chromium-driver");
    Path profile = Files.createTempDirectory("keyport-chromium-");
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
        "--window-size=1366,900",
        "--user-data-dir=" + profile);
    return new Chromium(profile, service, new ChromeDriver(service, options));
  }

  WebDriver browser() {
    return browser;
  }

  /** A wait that lets ajax updates and page loads replace elements between two polls. */
  WebDriverWait waiting(Duration patience) {
    WebDriverWait wait = new WebDriverWait(browser, patience);
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
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
              + ": install the Debian package '"
              + debianPackage
              + "' (.ci/test does this)");
    }
  }
}
