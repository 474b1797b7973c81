package io.keyport.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium through its chromedriver, for a test's walk through pages; Selenium
 * Manager never runs, so nothing is downloaded. Screenshots go to {@code it.screenshots.dir}.
 */
final class Chromium implements AutoCloseable {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  final WebDriver browser;
  final WebDriverWait wait;
  private final ChromeDriverService service;
  private final Path profile;

  Chromium() throws IOException {
    for (Path binary : new Path[] {CHROMIUM, CHROMEDRIVER}) {
      if (!Files.isExecutable(binary)) {
        fail(
            "This test needs "
                + binary
                + ", which is missing. Install Debian's Chromium and its driver:"
                + " apt-get install chromium chromium-driver");
      }
    }
    profile = Files.createTempDirectory("keyport-chromium-");
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    service =
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
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    wait.ignoring(StaleElementReferenceException.class);
  }

  /** Waits for jQuery animations (dialogs, slides) to finish. */
  void settled() {
    wait.until(
        driver ->
            (Boolean)
                ((JavascriptExecutor) driver)
                    .executeScript("return !window.jQuery || jQuery(':animated').length === 0;"));
  }

  void screenshot(String file) throws IOException {
    settled();
    Files.createDirectories(directory());
    Files.write(
        directory().resolve(file), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  /** The whole page, however long, at the window's width; the window is restored afterwards. */
  void fullPageScreenshot(String file) throws IOException {
    settled();
    Dimension window = browser.manage().window().getSize();
    long height =
        (Long)
            ((JavascriptExecutor) browser)
                .executeScript("return Math.ceil(document.documentElement.scrollHeight);");
    browser.manage().window().setSize(new Dimension(window.getWidth(), (int) height + 140));
    try {
      screenshot(file);
    } finally {
      browser.manage().window().setSize(window);
    }
  }

  /** What the browser showed when a walk failed, to read beside the assertion message. */
  void keepEvidence(String prefix) {
    try {
      Files.createDirectories(directory());
      Files.write(
          directory().resolve(prefix + ".png"),
          ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
      Files.writeString(
          directory().resolve(prefix + ".html"),
          browser.getCurrentUrl() + "\n" + browser.getPageSource(),
          StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException ignored) {
      // The original failure matters more than the evidence.
    }
  }

  private static Path directory() {
    return Path.of(System.getProperty("it.screenshots.dir", "target/screenshots"));
  }

  @Override
  public void close() throws IOException {
    try {
      browser.quit();
    } finally {
      service.stop();
      try (Stream<Path> paths = Files.walk(profile)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }
}
