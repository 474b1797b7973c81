package io.keyport.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.testsupport.Chromium;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServer;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.ServerConfig;
import io.keyport.testsupport.Shared;
import io.keyport.testsupport.Users;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The cookie mode of Gloo Portal's front end, in Chromium, through examples/gloo-portal-ui's nginx
 * as it is: one origin serving the front end and proxying Keyport. A small page stands in for the
 * built dev-portal-starter and makes its calls (fetch with credentials to {@code /v1/me}, {@code
 * /v1/api-keys}, links to {@code /v1/login} and {@code /v1/logout}). Signed out it sees a 401; the
 * login link goes through Keyport's own sign-in page and back to the front end, whose calls then
 * carry Keyport's session cookie; a key made there passes the check; log out ends the session.
 */
@ExtendWith(KeyportServers.class)
class GlooPortalUiIT {

  private static final String PORTAL = ServerConfig.PORTAL_ORIGIN;

  @Shared static KeyportServer node;

  @Test
  void theFrontEndSignsInThroughKeyportMakesAKeyAndSignsOut() throws Exception {
    Users.Person person = Users.create(node.http(), "gloo-ui", "developer");
    Path ui = Files.createTempDirectory("keyport-gloo-ui-");
    Files.writeString(ui.resolve("index.html"), standInFrontEnd());
    try (GatewayProcess nginx =
            GatewayProcess.nginx(
                "nginx serving the portal front end",
                Path.of("examples", "gloo-portal-ui", "keyport-portal.conf"),
                Map.of(
                    "KEYPORT_PORTAL",
                    "127.0.0.1:" + node.port(),
                    "UI_ROOT",
                    ui.toAbsolutePath().toString()),
                "PORTAL_LISTEN");
        Chromium chromium =
            Chromium.start(
                1280,
                900,
                "--host-resolver-rules=MAP portal.example.test 127.0.0.1:" + nginx.port())) {
      try {
        walk(chromium, person);
      } catch (AssertionError | RuntimeException failure) {
        chromium.keepEvidence("gloo-ui-failure");
        throw failure;
      }
    }
  }

  private void walk(Chromium chromium, Users.Person person) throws Exception {
    WebDriver browser = chromium.browser();
    WebDriverWait wait = chromium.waiting();
    browser.get(PORTAL + "/apis");
    wait.until(ExpectedConditions.textToBe(By.id("state"), "signed-out:401"));

    browser.findElement(By.id("login")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login:username")));
    assertTrue(
        browser.getCurrentUrl().startsWith(PORTAL + "/login.xhtml"),
        "Keyport's sign-in page, under the front end's origin: " + browser.getCurrentUrl());
    browser.findElement(By.id("login:username")).sendKeys(person.username());
    browser.findElement(By.id("login:password")).sendKeys(person.password());
    browser.findElement(By.id("login:submit")).click();

    wait.until(ExpectedConditions.textToBe(By.id("state"), "signed-in:" + person.username()));
    assertEquals(PORTAL + "/", browser.getCurrentUrl(), "back on the front end");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("apis"), "petstore"));

    browser.findElement(By.id("make")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("created"), "201 kp_"));
    String value = browser.findElement(By.id("created")).getText().substring("201 ".length());
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("keys"), "from-the-ui"));
    assertEquals(200, new Http(node.url()).check("/petstore/pets", value).statusCode());

    browser.findElement(By.id("logout")).click();
    wait.until(ExpectedConditions.textToBe(By.id("state"), "signed-out:401"));
    assertEquals(URI.create(PORTAL + "/"), URI.create(browser.getCurrentUrl()));
  }

  /** What the starter does, in as few lines as show it: its calls, not its looks. */
  private static String standInFrontEnd() {
    String back =
        "redirect="
            + java.net.URLEncoder.encode(PORTAL + "/", java.nio.charset.StandardCharsets.UTF_8);
    return """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>Portal front end (stand-in)</title></head>
        <body>
          <p id="state">loading</p>
          <a id="login" href="/v1/login?%1$s">Log in</a>
          <a id="logout" href="/v1/logout?%1$s">Log out</a>
          <ul id="apis"></ul>
          <button id="make" type="button">Generate key</button>
          <p id="created"></p>
          <ul id="keys"></ul>
          <script>
            const call = (path, init) => fetch('/v1' + path, {credentials: 'include', ...init});
            async function show() {
              const me = await call('/me');
              if (me.status !== 200) {
                document.getElementById('state').textContent = 'signed-out:' + me.status;
                return;
              }
              const user = await me.json();
              document.getElementById('state').textContent = 'signed-in:' + user.username;
              const apis = await (await call('/apis')).json();
              document.getElementById('apis').innerHTML =
                apis.map(a => '<li>' + a.apiId + ': ' + a.usagePlans.join(', ') + '</li>').join('');
              const keys = await (await call('/api-keys?usagePlans=gold')).json();
              document.getElementById('keys').innerHTML =
                keys[0].apiKeys.map(k => '<li>' + k.name + '</li>').join('');
            }
            document.getElementById('make').addEventListener('click', async () => {
              const made = await call('/api-keys', {
                method: 'POST',
                headers: {'Content-Type': 'application/json'},
                body: JSON.stringify({usagePlan: 'gold', apiKeyName: 'from-the-ui',
                                      apiProductId: 'petstore'})
              });
              const key = await made.json();
              document.getElementById('created').textContent = made.status + ' ' + key.apiKey;
              show();
            });
            show();
          </script>
        </body></html>
        """
        .formatted(back);
  }
}
