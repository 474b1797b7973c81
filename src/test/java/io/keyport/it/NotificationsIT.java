package io.keyport.it;

import static io.keyport.it.TestDatabase.count;
import static io.keyport.testsupport.Users.ADMIN;
import static io.keyport.testsupport.Users.ADMIN_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.keyport.testsupport.Chromium;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportNode;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.Locks;
import io.keyport.testsupport.Ports;
import io.keyport.testsupport.ServerConfig;
import io.keyport.testsupport.Shared;
import io.keyport.testsupport.Users;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Notifications on the shared DEFAULT node (docs/notifications.md): webhook endpoints over the
 * admin API, deliveries signed the Standard Webhooks way and verified by a real HTTP receiver in
 * this JVM, retried while the receiver is down, none lost when the delivering Keyport is killed
 * (SIGKILL, a node of the test's own), a hanging receiver that does not hold up the check; and
 * e-mail to key owners through GreenMail on {@code it.smtp.port}, where the DEFAULT node mails.
 */
@ExtendWith(KeyportServers.class)
// Mostly waiting for deliveries: beside the other classes, out of the way of those that cut the
// database link or flood the sign-in throttles.
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(value = Locks.DATABASE_LINK, mode = ResourceAccessMode.READ)
@ResourceLock(Locks.RESTARTS)
@ResourceLock(value = Locks.SIGN_IN, mode = ResourceAccessMode.READ)
class NotificationsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HOOKS = "api/v1/admin/webhooks";

  @Shared URL base;
  @Shared static KeyportServer server;

  private static GreenMail smtp;

  @BeforeAll
  static void startMailServer() {
    // The node has been mailing this port since it started; mails wait and are retried.
    smtp =
        new GreenMail(
            new ServerSetup(ServerConfig.smtpPort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
  }

  @AfterAll
  static void stopMailServer() {
    if (smtp != null) {
      smtp.stop();
    }
  }

  // ---------------------------------------------------------------- webhooks

  @Test
  void theAdminApiRegistersEndpointsShowsTheSecretOnceAndRefusesBadInput() throws Exception {
    Http http = new Http(base);
    JsonNode created =
        ok(
            admin(
                http,
                "POST",
                HOOKS,
                "{\"url\":\"https://hooks.example.com/keyport\",\"description\":\"ops\","
                    + "\"eventTypes\":[\"key.created\",\"user.disabled\"]}"),
            201);
    String id = created.path("id").asText();
    assertTrue(created.path("secret").asText().startsWith("whsec_"), created.toString());
    assertEquals(
        32, Base64.getDecoder().decode(created.path("secret").asText().substring(6)).length);
    JsonNode read = ok(admin(http, "GET", HOOKS + "/" + id, null), 200);
    assertTrue(
        read.path("secret").isNull() || read.path("secret").isMissingNode(), read.toString());
    assertEquals("[\"key.created\",\"user.disabled\"]", read.path("eventTypes").toString());
    assertTrue(read.path("enabled").asBoolean());
    assertFalse(admin(http, "GET", HOOKS, null).body().contains("whsec_"), "no secret listed");

    JsonNode bad =
        ok(
            admin(
                http,
                "POST",
                HOOKS,
                "{\"url\":\"ftp://x\",\"eventTypes\":[\"key.nonsense\"],\"description\":\"a\\nb\"}"),
            400);
    assertEquals(
        Set.of("url", "eventTypes", "description"), fieldNames(bad.path("fields")), bad.toString());
    assertEquals(400, admin(http, "POST", HOOKS, "{\"url\":\"https://x.example\"}").statusCode());
    assertEquals(
        400,
        admin(
                http,
                "POST",
                HOOKS,
                "{\"url\":\"https://u:p@x.example/\",\"eventTypes\":[\"key.created\"]}")
            .statusCode());

    long version = read.path("lockVersion").asLong();
    JsonNode edited =
        ok(
            admin(
                http,
                "PUT",
                HOOKS + "/" + id,
                "{\"url\":\"https://hooks.example.com/other\",\"eventTypes\":[\"key.deleted\"],"
                    + "\"enabled\":false,\"lockVersion\":"
                    + version
                    + "}"),
            200);
    assertFalse(edited.path("enabled").asBoolean());
    assertEquals(
        409,
        admin(
                http,
                "PUT",
                HOOKS + "/" + id,
                "{\"url\":\"https://x.example/\",\"eventTypes\":[\"key.deleted\"],\"lockVersion\":"
                    + version
                    + "}")
            .statusCode());
    assertEquals(
        403,
        http.api("GET", HOOKS, Keys.DEV, Keys.DEV_PASSWORD, null).statusCode(),
        "a developer is refused");
    assertTrue(
        ok(admin(http, "GET", HOOKS + "/event-types", null), 200)
            .toString()
            .contains("key.leaked"));
    String openapi = http.send(http.request("openapi").GET()).body();
    for (String path :
        List.of(
            "/api/v1/admin/webhooks",
            "/api/v1/admin/webhooks/deliveries/{id}/send-again",
            "/api/v1/me/mail")) {
      assertTrue(openapi.contains(path), "/openapi describes " + path);
    }
    assertEquals(204, admin(http, "DELETE", HOOKS + "/" + id, null).statusCode());
    assertEquals(404, admin(http, "GET", HOOKS + "/" + id, null).statusCode());
    assertEquals(404, admin(http, "DELETE", HOOKS + "/nonsense", null).statusCode());
  }

  @Test
  void signedEventsReachAReceiverThatVerifiesThemWithThePublishedScheme() throws Exception {
    Http http = new Http(base);
    try (Receiver receiver = Receiver.start(Ports.free())) {
      String hook =
          endpoint(
              http,
              receiver,
              "key.created",
              "key.deleted",
              "key.revoked_by_admin",
              "user.disabled");
      Users.Person person = Users.create(http, "hooked", "developer");
      Keys.Created deleted =
          Keys.create(http, person.username(), person.password(), "gone", "petstore", "gold");
      assertEquals(
          204,
          http.api(
                  "DELETE",
                  "api/v1/api-keys/" + deleted.id(),
                  person.username(),
                  person.password(),
                  null)
              .statusCode());
      Keys.Created revoked =
          Keys.create(http, person.username(), person.password(), "revoked", "petstore", "gold");
      revoke(http, revoked.id(), "rotated by the security team");
      disable(http, person.username());

      eventually(
          () -> receiver.eventsAbout(person.username()).size() >= 5,
          "five events about " + person.username());
      List<JsonNode> events = receiver.eventsAbout(person.username());
      // Deliveries go out side by side, so they may arrive in any order.
      assertEquals(
          List.of(
              "key.created", "key.created", "key.deleted", "key.revoked_by_admin", "user.disabled"),
          events.stream().map(e -> e.path("type").asText()).sorted().toList());
      JsonNode created = only(events, "key.created", deleted.id()).path("data");
      assertEquals(deleted.id(), created.path("keyId").asText());
      assertEquals(deleted.value().substring(0, 7) + "…", created.path("hint").asText());
      assertEquals("petstore", created.path("apiProduct").asText());
      assertEquals("gold", created.path("usagePlan").asText());
      assertEquals(person.username(), created.path("owner").asText());
      assertFalse(created.path("createdAt").asText().isEmpty());
      assertFalse(
          only(events, "key.deleted", deleted.id())
              .path("data")
              .path("revokedAt")
              .asText()
              .isEmpty());
      assertEquals(
          "rotated by the security team",
          only(events, "key.revoked_by_admin", revoked.id()).path("data").path("reason").asText());
      assertEquals(
          ADMIN, only(events, "user.disabled", null).path("data").path("disabledBy").asText());
      for (Receiver.Delivery delivery : receiver.deliveries()) {
        assertTrue(delivery.verified(), "signature of " + delivery.id() + " verifies");
        assertFalse(delivery.body().contains(deleted.value()), "no key value in a body");
        assertFalse(delivery.body().contains(revoked.value()), "no key value in a body");
        assertTrue(
            Math.abs(Instant.now().getEpochSecond() - delivery.timestamp()) < 600,
            "webhook-timestamp is the sending time in seconds");
      }
      // The receiver has them before the round that sent them commits its outcomes.
      eventually(
          () ->
              stream(deliveries(http, hook))
                  .allMatch(
                      d ->
                          d.path("status").asText().equals("delivered")
                              && d.path("lastStatusCode").asInt() == 200),
          "every delivery logged as delivered with status 200");
      JsonNode log = deliveries(http, hook);
      assertTrue(log.size() >= 5, log.toString());
      // Send again: the same webhook-id arrives once more, signed afresh.
      long first = log.get(log.size() - 1).path("id").asLong();
      String firstEvent = log.get(log.size() - 1).path("eventId").asText();
      long before = receiver.deliveries().stream().filter(d -> d.id().equals(firstEvent)).count();
      assertEquals(
          202,
          admin(http, "POST", HOOKS + "/deliveries/" + first + "/send-again", null).statusCode());
      eventually(
          () ->
              receiver.deliveries().stream().filter(d -> d.id().equals(firstEvent)).count()
                  == before + 1,
          "the delivery sent again");
      assertEquals(
          404, admin(http, "POST", HOOKS + "/deliveries/999999999/send-again", null).statusCode());
      assertEquals(400, admin(http, "GET", HOOKS + "/deliveries?status=lost", null).statusCode());
      deleteEndpoint(http, hook);
    }
  }

  @Test
  void deliveriesWaitWhileTheReceiverIsDownAndArriveWhenItIsBack() throws Exception {
    Http http = new Http(base);
    int port = Ports.free();
    Receiver receiver = Receiver.notStarted(port);
    String hook = endpoint(http, receiver, "key.created");
    try {
      Users.Person person = Users.create(http, "patient", "developer");
      List<Keys.Created> keys = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        keys.add(Keys.create(http, person.username(), person.password(), "k", "petstore", "gold"));
      }
      // The endpoint hears of every key created, and classes in the other lanes create keys too:
      // at least this test's three deliveries, and those are told apart by what they carry.
      eventually(
          () ->
              stream(deliveries(http, hook))
                      .filter(
                          d ->
                              d.path("status").asText().equals("pending")
                                  && d.path("attempts").asInt() >= 1
                                  && !d.path("lastError").asText().isEmpty()
                                  && !d.path("nextAttemptAt").isNull())
                      .count()
                  >= 3,
          "three deliveries failed once and waiting to be retried",
          () -> deliveries(http, hook).toString());
      receiver.listen();
      eventually(
          () -> receiver.eventsAbout(person.username()).size() >= 3,
          "the three events after the receiver is back");
      assertEquals(
          keys.stream().map(Keys.Created::id).collect(Collectors.toSet()),
          receiver.eventsAbout(person.username()).stream()
              .map(e -> e.path("data").path("keyId").asText())
              .collect(Collectors.toSet()));
      Set<String> ours =
          receiver.deliveries().stream()
              .filter(d -> d.body().contains(person.username()))
              .map(Receiver.Delivery::id)
              .collect(Collectors.toSet());
      assertEquals(3, ours.size(), ours::toString);
      eventually(
          () ->
              stream(deliveries(http, hook))
                      .filter(d -> ours.contains(d.path("eventId").asText()))
                      .filter(d -> d.path("status").asText().equals("delivered"))
                      .count()
                  == 3,
          "the three deliveries marked delivered",
          () -> deliveries(http, hook).toString());
    } finally {
      receiver.close();
      deleteEndpoint(http, hook);
    }
  }

  @Test
  void nothingIsLostWhenKeyportIsKilledMidDelivery() throws Exception {
    Http http = new Http(base);
    try (Receiver receiver = Receiver.start(Ports.free())) {
      receiver.hold();
      String hook = endpoint(http, receiver, "key.created");
      Users.Person person = Users.create(http, "survivor", "developer");
      Set<String> ids = new HashSet<>();
      try (KeyportNode killed = server.startAnother("notify-killed")) {
        Http doomed = new Http(killed.url());
        for (int i = 0; i < 5; i++) {
          ids.add(
              Keys.create(doomed, person.username(), person.password(), "k", "petstore", "gold")
                  .id());
        }
        eventually(() -> receiver.held() > 0, "a delivery in flight, held by the receiver");
        killed.kill();
      }
      receiver.release();
      eventually(
          () ->
              receiver.eventsAbout(person.username()).stream()
                  .map(e -> e.path("data").path("keyId").asText())
                  .collect(Collectors.toSet())
                  .containsAll(ids),
          "all five events at the receiver");
      eventually(
          () -> {
            JsonNode log = deliveries(http, hook);
            return stream(log).filter(d -> d.path("status").asText().equals("delivered")).count()
                >= 5;
          },
          "every delivery marked delivered by the node still up");
      assertEquals(0, pendingOf(person.username()), "nothing left pending");
      deleteEndpoint(http, hook);
    }
  }

  @Test
  void aHangingReceiverDoesNotHoldUpTheCheck() throws Exception {
    Http http = new Http(base);
    Keys.Created key = Keys.create(http, "unhurried", "petstore", "unlimited");
    try (Receiver receiver = Receiver.start(Ports.free())) {
      receiver.hold();
      String hook = endpoint(http, receiver, "key.created", "key.deleted");
      Users.Person person = Users.create(http, "flood", "developer");
      for (int i = 0; i < 12; i++) {
        Keys.create(http, person.username(), person.password(), "k", "petstore", "gold");
      }
      eventually(() -> receiver.held() >= 1, "deliveries hanging at the receiver");
      int allowed = 0;
      for (int i = 0; i < 300; i++) {
        if (http.check("/petstore/pets", key.value()).statusCode() == 200) {
          allowed++;
        }
      }
      assertEquals(300, allowed, "every check answered while deliveries hang");
      assertEquals(0, receiver.answered(), "no delivery was answered meanwhile");
      assertTrue(receiver.held() >= 1, "deliveries still hanging after the checks");
      Keys.Created another =
          Keys.create(http, person.username(), person.password(), "k", "petstore", "gold");
      assertFalse(another.id().isEmpty(), "the portal answers too");
      receiver.release();
      deleteEndpoint(http, hook);
    }
  }

  @Test
  void anAdminRegistersAnEndpointInTheConsoleAndSendsADeliveryAgain() throws Exception {
    Http http = new Http(base);
    try (Receiver receiver = Receiver.start(Ports.free());
        Chromium chromium = Chromium.start()) {
      WebDriver browser = chromium.browser();
      WebDriverWait wait = chromium.waiting();
      try {
        browser.get(base + "login.xhtml");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login:username")))
            .sendKeys(ADMIN);
        browser.findElement(By.id("login:password")).sendKeys(ADMIN_PASSWORD);
        browser.findElement(By.id("login:submit")).click();
        wait.until(ExpectedConditions.urlContains("/admin/dashboard.xhtml"));
        browser.findElement(By.id("navWebhooks:link")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Webhooks"));
        assertTrue(
            browser.findElement(By.id("mailState")).getText().contains("127.0.0.1"),
            "the page says where mail goes");

        // A new endpoint: the URL's error at its field, then the secret shown once.
        browser.findElement(By.id("newEndpoint")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("endpointForm:url")));
        chromium.settled();
        browser.findElement(By.id("endpointForm:save")).click();
        WebElement required =
            wait.until(
                ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector("[id='endpointDialog'] .ui-message-error")));
        assertTrue(required.getText().contains("URL"), "field message: " + required.getText());
        browser.findElement(By.id("endpointForm:url")).sendKeys(receiver.url());
        browser.findElement(By.id("endpointForm:description")).sendKeys("console receiver");
        browser.findElement(By.id("endpointForm:save")).click();
        String secret =
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("webhookSecret")))
                .getText()
                .trim();
        assertTrue(secret.matches("whsec_[A-Za-z0-9+/]{43}="), "the secret is shown: " + secret);
        receiver.secret(secret);
        chromium.screenshot("admin-webhook-secret.png");
        browser.findElement(By.id("endpointForm:done")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("webhookSecret")));
        wait.until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("webhooksForm:endpoints"), receiver.url()));
        chromium.screenshot("admin-webhooks.png");

        // An event, signed with the secret the page showed; then the log, and send again.
        Users.Person person = Users.create(http, "console", "developer");
        Keys.Created key =
            Keys.create(http, person.username(), person.password(), "k", "petstore", "gold");
        eventually(
            () -> receiver.eventsAbout(person.username()).size() >= 1,
            "the key.created event, verified with the page's secret");
        String hook =
            stream(ok(admin(http, "GET", HOOKS, null), 200))
                .filter(e -> e.path("url").asText().equals(receiver.url()))
                .findFirst()
                .orElseThrow()
                .path("id")
                .asText();
        eventually(
            () ->
                stream(deliveries(http, hook))
                    .anyMatch(d -> d.path("status").asText().equals("delivered")),
            "a delivered row");
        browser.get(base + "admin/deliveries.xhtml?endpoint=" + hook);
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Deliveries"));
        wait.until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("deliveriesForm:deliveries"), "Delivered"));
        chromium.screenshot("admin-deliveries.png");
        int before = receiver.deliveries().size();
        browser.findElement(By.id("deliveriesForm:deliveries:0:sendAgain")).click();
        wait.until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("deliveriesForm:messages"), "due again"));
        eventually(() -> receiver.deliveries().size() > before, "the delivery sent again");
        assertFalse(
            receiver.deliveries().stream().anyMatch(d -> d.body().contains(key.value())),
            "no key value in a body");
        assertFalse(browser.getPageSource().contains(secret), "the secret is not shown again");
        deleteEndpoint(http, hook);

        // The key's owner turns the optional e-mails off on their profile page.
        browser.manage().deleteAllCookies();
        browser.get(base + "login.xhtml");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login:username")))
            .sendKeys(person.username());
        browser.findElement(By.id("login:password")).sendKeys(person.password());
        browser.findElement(By.id("login:submit")).click();
        wait.until(ExpectedConditions.urlContains("/portal/"));
        browser.get(base + "portal/profile.xhtml");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("mailPanel")));
        assertTrue(
            browser.findElement(By.id("mailForm:optionalMail_input")).isSelected(),
            "optional mail is on at first");
        browser.findElement(By.cssSelector("[id='mailForm:optionalMail'] .ui-chkbox-box")).click();
        browser.findElement(By.id("mailForm:saveMail")).click();
        wait.until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("profileMessages"), "only the notices of revocations"));
        chromium.screenshot("profile-mail.png");
        assertEquals(
            "{\"optionalMail\":false}",
            http.api("GET", "api/v1/me/mail", person.username(), person.password(), null).body());
      } catch (AssertionError | RuntimeException failure) {
        chromium.keepEvidence("webhooks-failure");
        throw failure;
      }
    }
  }

  // ---------------------------------------------------------------- e-mail

  @Test
  void ownersGetTheRightMailsWithoutAnyKeyValue() throws Exception {
    Http http = new Http(base);
    String plan = "mail-" + UUID.randomUUID().toString().substring(0, 8);
    TestDatabase.createProductWithPlan(plan, "monthly_quota", "5");
    Users.Person alice = Users.create(http, "alice-mail", "developer");
    Users.Person bob = Users.create(http, "bob-mail", "developer");
    assertEquals(
        "{\"optionalMail\":false}",
        http.api(
                "PUT", "api/v1/me/mail", bob.username(), bob.password(), "{\"optionalMail\":false}")
            .body());
    assertEquals(
        400, http.api("PUT", "api/v1/me/mail", bob.username(), bob.password(), "{}").statusCode());
    List<String> values = new ArrayList<>();

    Keys.Created quota = Keys.create(http, alice.username(), alice.password(), "made", plan, plan);
    values.add(quota.value());
    for (int i = 0; i < 5; i++) {
      assertEquals(200, http.check("/" + plan + "/x", quota.value()).statusCode());
    }
    Keys.Created expiring =
        createExpiring(http, alice, "petstore", Instant.now().plus(Duration.ofHours(2)), values);
    Keys.Created expired =
        createExpiring(http, alice, "petstore", Instant.now().plusSeconds(3), values);
    Keys.Created revoked =
        Keys.create(http, alice.username(), alice.password(), "revoked", "petstore", "gold");
    values.add(revoked.value());
    revoke(http, revoked.id(), "policy change");

    Keys.Created bobs =
        Keys.create(http, bob.username(), bob.password(), "bobs", "petstore", "gold");
    values.add(bobs.value());
    Keys.Created bobsExpiring =
        createExpiring(http, bob, "petstore", Instant.now().plus(Duration.ofHours(2)), values);
    revoke(http, bobs.id(), "bob leaves the team");

    String a = alice.username();
    eventually(() -> has(a, "New API key " + quota.name() + " ("), "the key created mail");
    eventually(() -> has(a, "80% of your monthly quota on " + plan), "the 80% mail");
    eventually(() -> has(a, "100% of your monthly quota on " + plan), "the 100% mail");
    eventually(
        () -> has(a, "Your API key " + expiring.name() + " (") && hasEnd(a, expiring, " UTC"),
        "the expiring mail");
    eventually(() -> hasEnd(a, expired, "has expired"), "the expired mail");
    eventually(() -> hasEnd(a, revoked, "was revoked"), "the revoked mail");
    for (String subject : subjectsTo(a)) {
      assertEquals(1, subjectsTo(a).stream().filter(subject::equals).count(), "once: " + subject);
    }

    // Bob turned optional mail off: his expiring key is seen by the sweep, and mails nobody.
    eventually(() -> hasEnd(bob.username(), bobs, "was revoked"), "bob's revocation mail");
    eventually(
        () -> eventsOf(bob.username(), "key.expiring") == 1,
        "the sweep finding bob's expiring key");
    assertEquals(1, mailRowsOf(bob.username()), "bob is mailed the revocation only");
    assertEquals(1, subjectsTo(bob.username()).size(), subjectsTo(bob.username()).toString());
    assertFalse(bobsExpiring.id().isEmpty());

    for (MimeMessage message : smtp.getReceivedMessages()) {
      if (!to(message, alice.username()) && !to(message, bob.username())) {
        continue;
      }
      String raw = GreenMailUtil.getWholeMessage(message);
      for (String value : values) {
        assertFalse(raw.contains(value), "a key value in a mail:\n" + raw);
        assertFalse(raw.contains(value.substring(8)), "part of a key value in a mail:\n" + raw);
      }
      assertTrue(raw.contains("text/plain") && raw.contains("text/html"), raw);
      assertEquals("keyport@example.com", message.getFrom()[0].toString());
    }
    TestDatabase.retireProduct(plan);
  }

  // ---------------------------------------------------------------- helpers

  private static Keys.Created createExpiring(
      Http http, Users.Person person, String product, Instant expiresAt, List<String> values) {
    String plan = product.equals("petstore") ? "gold" : product;
    String name = "exp-" + UUID.randomUUID();
    HttpResponse<String> created =
        http.api(
            "POST",
            "api/v1/api-keys",
            person.username(),
            person.password(),
            "{\"apiKeyName\":\""
                + name
                + "\",\"apiProduct\":\""
                + product
                + "\",\"usagePlan\":\""
                + plan
                + "\",\"expiresAt\":\""
                + expiresAt
                + "\"}");
    assertEquals(201, created.statusCode(), created.body());
    String value = Http.field(created.body(), "apiKey");
    values.add(value);
    return new Keys.Created(Http.field(created.body(), "id"), name, value);
  }

  private static boolean has(String address, String start) {
    return subjectsTo(address).stream().anyMatch(s -> s.startsWith(start));
  }

  private static boolean hasEnd(String address, Keys.Created key, String end) {
    return subjectsTo(address).stream()
        .anyMatch(s -> s.startsWith("Your API key " + key.name() + " (") && s.endsWith(end));
  }

  private static JsonNode only(List<JsonNode> events, String type, String keyId) {
    List<JsonNode> found =
        events.stream()
            .filter(e -> e.path("type").asText().equals(type))
            .filter(e -> keyId == null || e.path("data").path("keyId").asText().equals(keyId))
            .toList();
    assertEquals(1, found.size(), type + " " + keyId + " in " + events);
    return found.get(0);
  }

  private static long eventsOf(String username, String type) {
    return count(
        "select count(*) from notification_event where subject = ? and type = ?", username, type);
  }

  private static long mailRowsOf(String username) {
    return count(
        "select count(*) from notification_delivery d join notification_event e"
            + " on e.id = d.event_id where e.subject = ? and d.channel = ?",
        username,
        "email");
  }

  private static List<String> subjectsTo(String address) {
    List<String> subjects = new ArrayList<>();
    for (MimeMessage message : smtp.getReceivedMessages()) {
      if (to(message, address)) {
        try {
          subjects.add(message.getSubject());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return subjects;
  }

  private static boolean to(MimeMessage message, String address) {
    try {
      Address[] recipients = message.getRecipients(Message.RecipientType.TO);
      return recipients != null
          && java.util.Arrays.stream(recipients).anyMatch(a -> a.toString().equals(address));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String endpoint(Http http, Receiver receiver, String... types) throws Exception {
    String list =
        java.util.Arrays.stream(types).map(t -> "\"" + t + "\"").collect(Collectors.joining(","));
    JsonNode created =
        ok(
            admin(
                http,
                "POST",
                HOOKS,
                "{\"url\":\"" + receiver.url() + "\",\"eventTypes\":[" + list + "]}"),
            201);
    receiver.secret(created.path("secret").asText());
    return created.path("id").asText();
  }

  private static void deleteEndpoint(Http http, String id) {
    admin(http, "DELETE", HOOKS + "/" + id, null);
  }

  private static JsonNode deliveries(Http http, String hook) {
    try {
      return ok(admin(http, "GET", HOOKS + "/deliveries?endpoint=" + hook, null), 200);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void revoke(Http http, String keyId, String reason) throws Exception {
    ok(
        admin(
            http,
            "POST",
            "api/v1/admin/api-keys/revocations",
            "{\"ids\":[\"" + keyId + "\"],\"reason\":\"" + reason + "\"}"),
        200);
  }

  private static void disable(Http http, String username) throws Exception {
    JsonNode user = ok(admin(http, "GET", "api/v1/admin/users/" + username, null), 200);
    ok(
        admin(
            http,
            "PATCH",
            "api/v1/admin/users/" + username,
            "{\"lockVersion\":" + user.path("lockVersion").asLong() + ",\"enabled\":false}"),
        200);
  }

  private static long pendingOf(String username) throws Exception {
    try (Connection db = TestDatabase.connect();
        PreparedStatement pending =
            db.prepareStatement(
                "select count(*) from notification_delivery d join notification_event e"
                    + " on e.id = d.event_id where e.subject = ? and d.channel = 'webhook'"
                    + " and d.status <> 'delivered'")) {
      pending.setString(1, username);
      try (ResultSet row = pending.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  private static HttpResponse<String> admin(Http http, String method, String path, String body) {
    return http.api(method, path, ADMIN, ADMIN_PASSWORD, body);
  }

  private static JsonNode ok(HttpResponse<String> response, int status) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
    List<JsonNode> nodes = new ArrayList<>();
    array.forEach(nodes::add);
    return nodes.stream();
  }

  private static void eventually(BooleanSupplier condition, String what)
      throws InterruptedException {
    // Bounded by attempts, not by a clock reading: 300 polls 200 ms apart.
    for (int attempt = 0; attempt < 300; attempt++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("Gave up waiting for " + what);
  }

  /**
   * As {@link #eventually(BooleanSupplier, String)}, saying what was last seen when it gives up.
   */
  private static void eventually(BooleanSupplier condition, String what, Supplier<String> seen)
      throws InterruptedException {
    try {
      eventually(condition, what);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last seen: " + seen.get(), e);
    }
  }

  /**
   * A webhook receiver as an operator would write one: verifies each delivery with the published
   * scheme (HMAC-SHA256 over id.timestamp.body, the key the base64 after whsec_), answers 200, and
   * keeps what it got. In hold mode it keeps requests waiting until released.
   */
  static final class Receiver implements AutoCloseable {

    record Delivery(String id, long timestamp, String body, boolean verified) {}

    private final int port;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private volatile String secret;
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private final java.util.concurrent.atomic.AtomicInteger held =
        new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger answered =
        new java.util.concurrent.atomic.AtomicInteger();
    private HttpServer server;

    private Receiver(int port) {
      this.port = port;
    }

    static Receiver start(int port) throws IOException {
      Receiver receiver = new Receiver(port);
      receiver.listen();
      return receiver;
    }

    static Receiver notStarted(int port) {
      return new Receiver(port);
    }

    String url() {
      return "http://127.0.0.1:" + port + "/hooks";
    }

    void secret(String secret) {
      this.secret = secret;
    }

    void listen() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
      server.setExecutor(Executors.newCachedThreadPool());
      server.createContext("/hooks", this::handle);
      server.start();
    }

    void hold() {
      hold = new CountDownLatch(1);
    }

    void release() {
      hold.countDown();
    }

    int held() {
      return held.get();
    }

    int answered() {
      return answered.get();
    }

    List<Delivery> deliveries() {
      return List.copyOf(deliveries);
    }

    /** The verified events whose data names {@code username} (owner or user), in arrival order. */
    List<JsonNode> eventsAbout(String username) {
      List<JsonNode> events = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (Delivery delivery : deliveries) {
        try {
          JsonNode event = JSON.readTree(delivery.body());
          JsonNode data = event.path("data");
          if (delivery.verified()
              && (username.equals(data.path("owner").asText())
                  || username.equals(data.path("username").asText()))
              && seen.add(delivery.id())) {
            events.add(event);
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
      return events;
    }

    private void handle(HttpExchange exchange) throws IOException {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      String id = exchange.getRequestHeaders().getFirst("webhook-id");
      String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
      String signature = exchange.getRequestHeaders().getFirst("webhook-signature");
      boolean verified = verify(id, timestamp, body, signature);
      if (hold.getCount() > 0) {
        held.incrementAndGet();
        try {
          hold.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        held.decrementAndGet();
      }
      try {
        exchange.sendResponseHeaders(verified ? 200 : 401, -1);
        if (verified) {
          deliveries.add(new Delivery(id, Long.parseLong(timestamp), body, true));
          answered.incrementAndGet();
        }
      } catch (IOException senderGone) {
        // The Keyport that sent it was killed or gave up waiting: it will be delivered again.
      } finally {
        exchange.close();
      }
    }

    private boolean verify(String id, String timestamp, String body, String signatures) {
      if (id == null || timestamp == null || signatures == null || secret == null) {
        return false;
      }
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(
            new SecretKeySpec(
                Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        byte[] expected =
            mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        for (String candidate : signatures.split(" ")) {
          if (candidate.startsWith("v1,")
              && MessageDigest.isEqual(
                  expected, Base64.getDecoder().decode(candidate.substring(3)))) {
            return true;
          }
        }
        return false;
      } catch (Exception e) {
        return false;
      }
    }

    @Override
    public void close() {
      release();
      if (server != null) {
        server.stop(0);
      }
    }
  }
}
