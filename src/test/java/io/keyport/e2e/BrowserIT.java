package io.keyport.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.it.TestDatabase;
import io.keyport.testsupport.Chromium;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.Shared;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The portal in a real Chromium: sign in, browse the products, create a key in the dialog, use it
 * at the gateway check, find it in the key list and its details page, delete it, sign out.
 *
 * <p>Uses the Debian Chromium and chromedriver only; Selenium Manager never runs, so the test
 * downloads nothing. Screenshots go to {@code it.screenshots.dir} for people to look at.
 */
@ExtendWith(KeyportServers.class)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(value = Locks.DATABASE_LINK, mode = ResourceAccessMode.READ)
@ResourceLock(value = Locks.SIGN_IN, mode = ResourceAccessMode.READ)
class BrowserIT {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @Shared URL base;

  private Chromium chromium;
  private WebDriver browser;
  private WebDriverWait wait;
  private Http http;

  @BeforeEach
  void startChromium() throws IOException {
    chromium = Chromium.start();
    browser = chromium.browser();
    wait = chromium.waiting(PATIENCE);
    http = new Http(base);
    for (String stale : List.of("failure.png", "failure.html")) {
      Files.deleteIfExists(screenshots().resolve(stale));
    }
  }

  @AfterEach
  void stopChromium() {
    if (chromium != null) {
      chromium.close();
    }
  }

  @Test
  void developerCreatesUsesAndDeletesAKey() throws Exception {
    try {
      walkThroughTheKeyLifecycle();
    } catch (AssertionError | RuntimeException failure) {
      chromium.keepEvidence("failure");
      throw failure;
    }
  }

  /**
   * Issue 16's walk: a key expiring in three days is on the keys page's reminder; the developer
   * rolls it in the dialog with an hour's grace, reads the new value (and its Kubernetes Secret,
   * built in the browser), both values pass, the page says the previous one works until …, End
   * grace now, and the old value is refused.
   */
  @Test
  void developerRollsAKeyAndEndsTheGrace() throws Exception {
    try {
      walkThroughARoll();
    } catch (AssertionError | RuntimeException failure) {
      chromium.keepEvidence("roll-failure");
      throw failure;
    }
  }

  private void walkThroughARoll() throws Exception {
    io.keyport.testsupport.Keys.Created key =
        io.keyport.testsupport.Keys.create(http, "browser-roll", "petstore", "unlimited");
    String soon = java.time.Instant.now().plus(Duration.ofDays(3)).toString();
    assertEquals(
        200,
        http.api(
                "PATCH",
                "api/v1/api-keys/" + key.id(),
                "dev@example.com",
                "dev",
                "{\"expiresAt\":\"" + soon + "\"}")
            .statusCode());
    browser.get(http.uri("/portal/keys.xhtml").toString());
    signIn("dev@example.com", "dev");
    browser.get(http.uri("/portal/keys.xhtml").toString());
    WebElement reminder = visible(By.id("expiringSoon"));
    assertTrue(reminder.getText().contains("Expiring within 7 days"), reminder.getText());
    assertTrue(reminder.getText().contains(key.name()), "the reminder lists " + key.name());
    screenshot("keys-expiring.png");

    browser.get(http.uri("/portal/key.xhtml?id=" + key.id()).toString());
    wait.until(ExpectedConditions.textToBe(By.id("keyName"), key.name()));
    assertTrue(browser.findElements(By.id("rollingForm:rolling")).isEmpty(), "not rolling yet");
    visible(By.id("rollingForm:roll")).click();
    visible(By.id("rollKeyForm:submit"));
    settled();
    screenshot("roll-key-form.png");
    browser.findElement(By.id("rollKeyForm:submit")).click();
    String value = textOf(By.id("rolledKeyValue"));
    assertTrue(value.matches("kp_[0-9A-Za-z]{38}"), "new value: " + value);
    assertFalse(value.equals(key.value()));
    assertTrue(textOf(By.id("rolledPrevious")).startsWith("The previous value works until"));
    assertFalse(visible(By.id("rollKeyForm:done")).isEnabled(), "Done waits for the confirmation");
    screenshot("roll-key-dialog.png");

    // The Secret the download link builds, from the value on the page and nothing else.
    WebElement download = visible(By.id("rolledKeySecret"));
    assertFalse(download.getAttribute("data-k8s-secret").contains(value));
    String yaml =
        (String)
            ((JavascriptExecutor) browser)
                .executeScript("return Keyport.secretYaml(arguments[0]);", download);
    io.fabric8.kubernetes.api.model.Secret secret =
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
            yaml, io.fabric8.kubernetes.api.model.Secret.class);
    assertEquals("extauth.solo.io/apikey", secret.getType());
    assertEquals(
        value,
        new String(
            java.util.Base64.getDecoder().decode(secret.getData().get("api-key")),
            java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("dev_example.com", secret.getMetadata().getLabels().get("keyport.io/user"));

    assertEquals(200, http.check("/petstore/pets", key.value()).statusCode(), "old, in grace");
    assertEquals(200, http.check("/petstore/pets", value).statusCode(), "new");

    browser.findElement(By.cssSelector("[id='rollKeyForm:copiedConfirm'] .ui-chkbox-box")).click();
    wait.until(ExpectedConditions.elementToBeClickable(By.id("rollKeyForm:done"))).click();
    WebElement rolling = visible(By.id("rollingForm:rolling"));
    assertTrue(
        rolling.getText().contains("Rolling: the previous value")
            && rolling.getText().contains("works until"),
        rolling.getText());
    screenshot("key-rolling.png");

    WebElement end = browser.findElement(By.id("rollingForm:endGrace"));
    end.click();
    wait.until(gone(end));
    WebElement ended = visible(By.cssSelector("[id='rollingForm:messages'] .ui-messages-info"));
    assertTrue(ended.getText().contains("no longer works"), ended.getText());
    assertTrue(browser.findElements(By.id("rollingForm:rolling")).isEmpty(), "still rolling");
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (http.check("/petstore/pets", key.value()).statusCode() != 401) {
      assertTrue(System.nanoTime() < deadline, "the old value still passes after End grace");
      Thread.sleep(100);
    }
    assertEquals(200, http.check("/petstore/pets", value).statusCode(), "new, after the grace");

    // Scopes on the same form: GET under /petstore/pets only; elsewhere in the product, refused.
    browser.findElements(By.cssSelector("[id='accessForm:methods'] .ui-chkbox-box")).get(0).click();
    WebElement prefixes = browser.findElement(By.id("accessForm:pathPrefixes"));
    prefixes.clear();
    prefixes.sendKeys("/petstore/pets");
    WebElement save = browser.findElement(By.id("accessForm:save"));
    save.click();
    wait.until(gone(save));
    WebElement saved = visible(By.cssSelector("[id='accessForm:messages'] .ui-messages-info"));
    assertTrue(saved.getText().contains("Saved the changes"), saved.getText());
    String stored =
        http.api("GET", "api/v1/api-keys/" + key.id(), "dev@example.com", "dev", null).body();
    assertTrue(
        stored.contains("\"methods\":[\"GET\"]")
            && stored.contains("\"pathPrefixes\":[\"/petstore/pets\"]"),
        stored);
    long scoped = System.nanoTime() + PATIENCE.toNanos();
    while (http.check("/petstore/store/inventory", value).statusCode() != 403) {
      assertTrue(System.nanoTime() < scoped, "the scopes do not reach the check");
      Thread.sleep(100);
    }
    assertEquals(200, http.check("/petstore/pets/1", value).statusCode(), "within the scopes");

    // The new value got out: the owner reports it as leaked, and it stops at once.
    WebElement report = visible(By.id("leakForm:reportLeaked"));
    screenshot("key-leak-panel.png");
    report.click();
    visible(By.id("leakForm:confirmYes"));
    settled();
    browser.findElement(By.id("leakForm:confirmYes")).click();
    wait.until(ExpectedConditions.urlContains("/portal/keys.xhtml"));
    long revoked = System.nanoTime() + PATIENCE.toNanos();
    while (http.check("/petstore/pets", value).statusCode() != 401) {
      assertTrue(System.nanoTime() < revoked, "the key reported as leaked still passes");
      Thread.sleep(100);
    }
  }

  /**
   * Issue #6's walk: an admin creates a plan and a product with a route in the console and a
   * developer account; the developer makes a key for it on the product page and passes the check on
   * that route; the admin disables the developer and the key is refused at once.
   */
  @Test
  void anAdminsNewProductServesADeveloperUntilTheAdminDisablesThem() throws Exception {
    try {
      walkThroughTheAdminConsole();
    } catch (AssertionError | RuntimeException failure) {
      chromium.keepEvidence("admin-failure");
      throw failure;
    }
  }

  private void walkThroughTheAdminConsole() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String plan = "e2e-" + run;
    String slug = "e2e-" + run;
    String developer = "e2e-" + run + "@example.com";

    // 1. The admin signs in and makes a plan in the plan editor.
    browser.get(http.uri("/login.xhtml").toString());
    signIn("admin@example.com", "admin");
    wait.until(ExpectedConditions.urlContains("/admin/"));
    // The dashboard's charts draw under the page's Content Security Policy. They chart this node's
    // last hour, so the test makes that hour's traffic itself rather than count on other classes.
    io.keyport.testsupport.Keys.Created traffic =
        io.keyport.testsupport.Keys.create(http, "e2e-traffic", "petstore", "unlimited");
    HttpResponse<String> checked = http.check("/petstore/pets", traffic.value());
    assertEquals(200, checked.statusCode(), checked.body());
    // The last 24 hours come from the database, where the meter writes every 5 s.
    browser.get(http.uri("/admin/dashboard.xhtml").toString());
    for (int attempt = 0;
        attempt < 30 && browser.findElements(By.cssSelector("[id$='hourChart'] canvas")).isEmpty();
        attempt++) {
      Thread.sleep(1_000);
      browser.navigate().refresh();
    }
    visible(By.cssSelector("[id$='minuteChart'] canvas"));
    visible(By.cssSelector("[id$='hourChart'] canvas"));
    assertTrue(chartDrawn("minuteChart") && chartDrawn("hourChart"), "dashboard charts drawn");
    assertNoCspViolations("admin dashboard");
    browser.get(http.uri("/admin/plan.xhtml").toString());
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "New usage plan"));
    visible(By.id("planForm:displayName")).sendKeys("E2E " + run);
    browser.findElement(By.id("planForm:name")).sendKeys(plan);
    browser.findElement(By.id("planForm:requests_input")).sendKeys("100");
    browser.findElement(By.id("planForm:save")).click();
    wait.until(ExpectedConditions.urlContains("/admin/plans.xhtml"));
    assertNoCspViolations("admin plan editor");

    // 2. ... and a product with one route that offers it.
    browser.get(http.uri("/admin/product.xhtml").toString());
    visible(By.id("editor:displayName")).sendKeys("E2E " + run);
    browser.findElement(By.id("editor:slug")).sendKeys(slug);
    browser.findElement(By.id("editor:routes:0:pathPrefix")).sendKeys("/" + slug + "/");
    browser.findElement(By.xpath("//label[contains(., '(" + plan + ")')]")).click();
    browser.findElement(By.id("editor:save")).click();
    visible(By.xpath("//*[contains(@class,'ui-growl-message')][contains(., 'is created')]"));
    assertNoCspViolations("admin product editor");

    // 3. ... and a developer account, whose temporary password is shown once.
    browser.get(http.uri("/admin/users.xhtml").toString());
    visible(By.id("newUser")).click();
    visible(By.id("createForm:newUsername")).sendKeys(developer);
    browser.findElement(By.id("createForm:newDisplayName")).sendKeys("E2E Developer");
    browser.findElement(By.id("createForm:create")).click();
    String password = textOf(By.id("temporaryPassword"));
    assertFalse(password.isEmpty(), "no temporary password shown");
    browser.findElement(By.id("createForm:done")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("temporaryPassword")));
    assertNoCspViolations("admin users");
    signOut();

    // 4. The developer signs in with it, is sent to choose a password of their own, and then
    //    makes a key on the product's page and passes the check on its route.
    signIn(developer, password);
    wait.until(ExpectedConditions.urlContains("/portal/profile.xhtml"));
    visible(By.id("changeRequired"));
    String own = "own password " + password;
    browser.findElement(By.name("passwordForm:currentPassword")).sendKeys(password);
    browser.findElement(By.name("passwordForm:newPassword")).sendKeys(own);
    browser.findElement(By.name("passwordForm:confirmPassword")).sendKeys(own);
    browser.findElement(By.id("passwordForm:changePassword")).click();
    visible(By.xpath("//*[contains(., 'Your password is changed')]"));
    browser.get(http.uri("/portal/product.xhtml?slug=" + slug).toString());
    wait.until(ExpectedConditions.textToBe(By.id("productName"), "E2E " + run));
    visible(By.xpath("//button[contains(@id,':addKey')]")).click();
    visible(By.id("newKeyDialog"));
    settled();
    visible(By.id("newKeyForm:name")).sendKeys("e2e");
    browser.findElement(By.id("newKeyForm:generate")).click();
    String key = textOf(By.id("newKeyValue"));
    HttpResponse<String> admitted = http.check("/" + slug + "/orders", key);
    assertEquals(200, admitted.statusCode(), admitted.body());
    assertEquals(plan, admitted.headers().firstValue("x-solo-plan").orElse(null));
    assertEquals(
        403, http.check("/petstore/pets", key).statusCode(), "another product's route is refused");
    browser.findElement(By.cssSelector("[id='newKeyForm:copiedConfirm'] .ui-chkbox-box")).click();
    wait.until(ExpectedConditions.elementToBeClickable(By.id("newKeyForm:done"))).click();
    wait.until(ExpectedConditions.urlContains("/portal/keys.xhtml"));
    signOut();

    // 5. The admin disables the developer: the key is refused as soon as the page says so.
    signIn("admin@example.com", "admin");
    wait.until(ExpectedConditions.urlContains("/admin/"));
    browser.get(http.uri("/admin/users.xhtml").toString());
    WebElement query = visible(By.id("usersForm:query"));
    query.sendKeys(developer);
    browser.findElement(By.id("usersForm:search")).click();
    wait.until(gone(query)); // the search re-renders the form
    By row = By.xpath("//tr[td[contains(., '" + developer + "')]]");
    visible(row).findElement(By.xpath(".//button[contains(@id,':disable')]")).click();
    settled();
    visible(By.id("usersForm:confirmYes")).click();
    visible(
        By.xpath("//tr[td[contains(., '" + developer + "')]]//button[contains(@id,':enable')]"));
    HttpResponse<String> refused = http.check("/" + slug + "/orders", key);
    assertEquals(401, refused.statusCode(), refused.body());
    assertEquals("invalid_api_key", refused.headers().firstValue("x-keyport-deny").orElse(null));
    assertNoCspViolations("admin users, disabling");
    // Off the catalogue again, for the tests that read it.
    TestDatabase.retireProduct(slug);
  }

  private void signOut() {
    browser.findElement(By.id("accountForm:logout")).click();
    wait.until(ExpectedConditions.urlContains("/login.xhtml"));
  }

  private void walkThroughTheKeyLifecycle() throws Exception {
    String name = "browser-" + UUID.randomUUID().toString().substring(0, 8);

    // 1. An anonymous visitor is sent to the login page; a wrong password is refused.
    browser.get(base.toString());
    wait.until(ExpectedConditions.urlContains("/login.xhtml"));
    visible(By.id("login:username"));
    screenshot("login.png");
    signIn("dev@example.com", "not-the-password");
    WebElement refusal = visible(By.cssSelector("[id='login:messages'] .ui-messages-error"));
    assertTrue(
        refusal.getText().contains("Wrong e-mail address or password"),
        "login refusal: " + refusal.getText());
    assertTrue(browser.getCurrentUrl().contains("/login.xhtml"), browser.getCurrentUrl());
    screenshot("login-refused.png");
    signIn("dev@example.com", "dev");

    // 2. The products page lists both demo products; Pet Store opens to its four plans.
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "API products"));
    List<String> products =
        browser.findElements(By.cssSelector(".kp-products .kp-product-name")).stream()
            .map(WebElement::getText)
            .toList();
    assertTrue(products.containsAll(List.of("Pet Store", "Tracks")), "products: " + products);
    By gold = addKeyButton("petstore", "gold");
    assertFalse(browser.findElement(gold).isDisplayed(), "Pet Store should start collapsed");
    browser
        .findElement(
            By.xpath(
                "//*[contains(@class,'ui-accordion-header')]"
                    + "[.//span[contains(@class,'kp-product-name') and normalize-space()='Pet Store']]"))
        .click();
    visible(gold);
    // The tab slides open; until it has, its buttons are partly clipped and read as empty.
    settled();
    for (String plan : List.of("bronze", "silver", "gold", "unlimited")) {
      WebElement button = visible(addKeyButton("petstore", plan));
      assertEquals("Add key", button.getText().trim(), "button for plan " + plan);
    }
    WebElement goldRow = browser.findElement(rowOf(gold));
    assertEquals(
        "5 requests per minute",
        goldRow.findElement(By.cssSelector("td.kp-limit")).getText().trim(),
        "gold's limit");
    screenshot("products.png");

    // A product added after the page was rendered comes before Pet Store ("IT ..."), so every
    // later product's row moves down one: the gold button must still open Pet Store's gold plan.
    String newcomer = "it-" + UUID.randomUUID().toString().substring(0, 8);
    // (Retired once the key is made; a failure before leaves one more test product listed.)
    TestDatabase.createProductWithPlan(newcomer, "monthly_quota", "100");

    // 3. The dialog insists on a name, then shows the new key once and cannot be dismissed.
    browser.findElement(gold).click();
    WebElement dialog = visible(By.id("newKeyDialog"));
    settled();
    WebElement nameInput = visible(By.id("newKeyForm:name"));
    assertEquals("For Pet Store, Gold plan", textOf(By.id("newKeyFor")));
    String reach = textOf(By.id("newKeyForm:reach"));
    assertTrue(
        reach.contains("Only Pet Store") && reach.contains("Every API on the Gold plan"),
        "what the key works on: " + reach);
    screenshot("add-key-form.png");
    browser.findElement(By.id("newKeyForm:generate")).click();
    WebElement required = visible(By.cssSelector("[id='newKeyDialog'] .ui-message-error"));
    assertTrue(
        required.getText().contains("Key name is required"), "required: " + required.getText());
    assertTrue(dialog.isDisplayed(), "the dialog closed on a failed Generate");
    assertEquals(
        "For Pet Store, Gold plan",
        textOf(By.id("newKeyFor")),
        "the dialog forgot its product and plan after a failed Generate");

    nameInput = visible(By.id("newKeyForm:name"));
    nameInput.sendKeys(name);
    browser.findElement(By.id("newKeyForm:generate")).click();
    WebElement keyValue = visible(By.id("newKeyValue"));
    String key = keyValue.getText().trim();
    assertTrue(key.matches("kp_[0-9A-Za-z]{38}"), "key value: " + key);
    TestDatabase.retireProduct(newcomer);
    String warning = textOf(By.cssSelector("[id='newKeyDialog'] .ui-message-warn"));
    assertTrue(warning.contains("will not be shown again"), "warning: " + warning);
    WebElement done = visible(By.id("newKeyForm:done"));
    assertFalse(done.isEnabled(), "Done must wait for the copy confirmation");
    screenshot("add-key-dialog.png");

    new Actions(browser).sendKeys(Keys.ESCAPE).perform();
    assertTrue(dialogShown(), "Escape closed the new-key dialog");

    // 4. The key works at the gateway check, on the plan it was made for.
    HttpResponse<String> allowed = http.check("/petstore/pets", key);
    assertEquals(200, allowed.statusCode(), allowed.body());
    assertEquals("gold", allowed.headers().firstValue("x-solo-plan").orElse(null));
    // The check took a real round trip; an Escape-triggered close would have happened by now.
    assertTrue(dialogShown(), "the new-key dialog closed after Escape");
    assertEquals(key, textOf(By.id("newKeyValue")));

    // 5. Confirming the copy enables Done, which leads to the key list.
    browser.findElement(By.cssSelector("[id='newKeyForm:copiedConfirm'] .ui-chkbox-box")).click();
    wait.until(ExpectedConditions.elementToBeClickable(By.id("newKeyForm:done"))).click();
    wait.until(ExpectedConditions.urlContains("/portal/keys.xhtml"));
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "My API keys"));
    By keyRow = keyRow(name);
    WebElement row = visible(keyRow);
    List<WebElement> cells = row.findElements(By.tagName("td"));
    assertEquals(name, cells.get(0).getText().trim(), "name");
    assertEquals("Pet Store", cells.get(1).getText().trim(), "product");
    assertEquals("Gold", cells.get(2).getText().trim(), "plan");
    String hint = row.findElement(By.cssSelector("code.kp-hint")).getText().trim();
    assertTrue(
        hint.startsWith(key.substring(0, 7)) && hint.endsWith("…"),
        "hint " + hint + " for key " + key.substring(0, 7) + "…");
    assertEquals("Active", cells.get(6).getText().trim(), "status");
    screenshot("keys.png");

    // 6. The pencil opens the key's details.
    row.findElement(By.xpath(".//*[contains(@id,':details')]/descendant-or-self::a")).click();
    wait.until(ExpectedConditions.urlContains("/portal/key.xhtml"));
    assertEquals(name, textOf(By.id("keyName")));
    assertEquals("Gold", textOf(By.id("keyPlan")));
    assertEquals("Pet Store", textOf(By.id("keyProduct")));
    assertEquals(hint, textOf(By.id("keyHint")));
    // The usage charts show the metered requests once the meter has flushed (every 5 s).
    for (int i = 0; i < 2; i++) {
      assertEquals(200, http.check("/petstore/pets", key).statusCode(), "check " + (i + 2));
    }
    long flushDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!textOf(By.id("thisMonth")).startsWith("3 ") && System.nanoTime() < flushDeadline) {
      Thread.sleep(1_000);
      browser.navigate().refresh();
      wait.until(ExpectedConditions.textToBe(By.id("keyName"), name));
    }
    assertEquals(
        "3 (this plan has no monthly quota)", textOf(By.id("thisMonth")), "requests this month");
    assertEquals(3L, chartTotal("hourly", 0), "admitted in the last 24 hours chart");
    assertEquals(3L, chartTotal("daily", 0), "admitted in the last 30 days chart");
    assertEquals(0L, chartTotal("daily", 1), "refused in the last 30 days chart");
    screenshot("key-details.png");

    // 7. Back on the list, X and a confirmation delete the key; the check refuses it at once.
    browser.findElement(By.xpath("//a[normalize-space()='Back to my keys']")).click();
    wait.until(ExpectedConditions.urlContains("/portal/keys.xhtml"));
    visible(keyRow).findElement(By.cssSelector("button[id$=':delete']")).click();
    WebElement confirm = visible(By.id("keysForm:confirmDelete"));
    settled();
    assertTrue(
        confirm.getText().contains("Delete this key?"), "confirm dialog: " + confirm.getText());
    browser.findElement(By.id("keysForm:confirmYes")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(keyRow));
    assertTrue(browser.findElements(keyRow).isEmpty(), "the deleted key is still listed");
    WebElement deleted =
        visible(By.xpath("//*[contains(@class,'ui-growl-message')][contains(.,'is deleted')]"));
    assertTrue(deleted.getText().contains(name), "deletion message: " + deleted.getText());
    HttpResponse<String> refused = http.check("/petstore/pets", key);
    assertEquals(401, refused.statusCode(), refused.body());
    screenshot("keys-deleted.png");

    // 8. The product page's API reference (Swagger UI) draws under the Content Security Policy.
    browser.get(http.uri("/portal/product.xhtml?slug=petstore").toString());
    visible(By.cssSelector("#apiReference .opblock"));
    screenshot("product-api-reference.png");

    // 9. Logging out ends the session: the portal sends the browser back to the login page.
    browser.findElement(By.id("accountForm:logout")).click();
    wait.until(ExpectedConditions.urlContains("/login.xhtml"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login"), "signed out"));
    screenshot("signed-out.png");
    browser.get(http.uri("/portal/keys.xhtml").toString());
    wait.until(ExpectedConditions.urlContains("/login.xhtml"));
    visible(By.id("login:username"));
  }

  private void signIn(String username, String password) {
    WebElement user = visible(By.id("login:username"));
    user.clear();
    user.sendKeys(username);
    WebElement secret = browser.findElement(By.id("login:password"));
    secret.clear();
    secret.sendKeys(password);
    WebElement submit = browser.findElement(By.id("login:submit"));
    submit.click();
    // A full-page post: wait for the old page to go before looking at the new one.
    wait.until(gone(submit));
  }

  /**
   * The element left the page. Chromium sometimes answers a look at a node of a page that is being
   * replaced with "does not belong to the document" rather than a stale reference: gone too.
   */
  private static ExpectedCondition<Boolean> gone(WebElement element) {
    return driver -> {
      try {
        element.isEnabled();
        return false;
      } catch (StaleElementReferenceException e) {
        return true;
      } catch (WebDriverException e) {
        if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
          return true;
        }
        throw e;
      }
    };
  }

  private static By addKeyButton(String product, String plan) {
    return By.cssSelector(
        "button.kp-add-key[data-product='" + product + "'][data-plan='" + plan + "']");
  }

  private static By rowOf(By button) {
    return new By() {
      @Override
      public List<WebElement> findElements(org.openqa.selenium.SearchContext context) {
        return context.findElements(button).stream()
            .map(b -> b.findElement(By.xpath("./ancestor::tr[1]")))
            .toList();
      }
    };
  }

  private static By keyRow(String name) {
    return By.xpath(
        "//tbody[@id='keysForm:keys_data']/tr"
            + "[.//*[contains(@class,'kp-key-name') and normalize-space()='"
            + name
            + "']]");
  }

  private boolean dialogShown() {
    return Boolean.TRUE.equals(
            ((JavascriptExecutor) browser).executeScript("return PF('newKeyDialog').isVisible();"))
        && browser.findElement(By.id("newKeyDialog")).isDisplayed();
  }

  private WebElement visible(By locator) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(locator));
  }

  private String textOf(By locator) {
    return visible(locator).getText().trim();
  }

  private static Path screenshots() {
    return Chromium.directory();
  }

  /** Waits for jQuery animations (accordion slides, dialog effects) to finish. */
  private void settled() {
    wait.until(
        driver ->
            (Boolean)
                ((JavascriptExecutor) driver)
                    .executeScript("return !window.jQuery || jQuery(':animated').length === 0;"));
  }

  /** The sum of one dataset of a rendered Chart.js chart, read from the chart in the page. */
  private long chartTotal(String chartId, int dataset) {
    Object total =
        ((JavascriptExecutor) browser)
            .executeScript(
                "const chart = Chart.getChart(document.querySelector(\"[id$='\" + arguments[0]"
                    + " + \"'] canvas\"));"
                    + "return chart.data.datasets[arguments[1]].data.reduce((a, b) => a + b, 0);",
                chartId,
                dataset);
    return ((Number) total).longValue();
  }

  private void screenshot(String file) throws IOException {
    settled();
    chromium.capture(file);
    assertNoCspViolations(file);
  }

  /** Fails if the page's Content Security Policy blocked anything since the last look. */
  private void assertNoCspViolations(String where) {
    List<String> violations = chromium.cspViolations();
    assertTrue(violations.isEmpty(), where + ": the browser blocked " + violations);
  }

  private boolean chartDrawn(String chartId) {
    return Boolean.TRUE.equals(
        ((JavascriptExecutor) browser)
            .executeScript(
                "return !!Chart.getChart(document.querySelector(\"[id$='\" + arguments[0]"
                    + " + \"'] canvas\"));",
                chartId));
  }
}
