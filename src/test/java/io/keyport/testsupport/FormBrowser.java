package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.CookieManager;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A form-login browser without JavaScript, for tests that need a signed-in session on the pages but
 * no Chromium: a cookie jar, and redirects left to the test.
 */
public final class FormBrowser {

  private static final Pattern VIEW_STATE =
      Pattern.compile("name=\"jakarta.faces.ViewState\"[^>]*value=\"([^\"]+)\"");
  private static final Pattern NONCE = Pattern.compile("<script[^>]*\\snonce=\"([^\"]+)\"");

  private final Http http;
  private final HttpClient client =
      HttpClient.newBuilder()
          .cookieHandler(new CookieManager())
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  /** The body of the last sign-in's answer, for messages. */
  public String lastBody = "";

  public FormBrowser(URL base) {
    http = new Http(base);
  }

  /** Signs in through the login page; the path it redirects to, or null when refused. */
  public String signIn(String username, String password) throws Exception {
    HttpResponse<String> form = send(http.request("login.xhtml").GET());
    Matcher viewState = VIEW_STATE.matcher(form.body());
    assertTrue(viewState.find(), "the login page's view state");
    String body =
        "login=login&login%3Ausername="
            + URLEncoder.encode(username, StandardCharsets.UTF_8)
            + "&login%3Apassword="
            + URLEncoder.encode(password, StandardCharsets.UTF_8)
            + "&login%3Asubmit=&jakarta.faces.ViewState="
            + URLEncoder.encode(viewState.group(1), StandardCharsets.UTF_8)
            + nonce(form.body());
    HttpResponse<String> posted =
        send(
            http.request("login.xhtml")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    lastBody = posted.body();
    if (posted.statusCode() == 302) {
      return posted.headers().firstValue("Location").orElse("").replaceFirst("^https?://[^/]+", "");
    }
    return null;
  }

  /** A JSON call with this browser's session cookie. */
  public HttpResponse<String> get(String path) throws Exception {
    return send(http.request(path).header("Accept", "application/json").GET());
  }

  /** A page, with this browser's session cookie. */
  public HttpResponse<String> page(String path) throws Exception {
    return send(http.request(path).header("Accept", "text/html").GET());
  }

  public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A request to {@code path} of this browser's server, to finish and {@link #send}. */
  public HttpRequest.Builder request(String path) {
    return http.request(path);
  }

  /**
   * What PrimeFaces' script adds to every form under its CSP mode, as a real browser sends it: the
   * page's nonce, without which a post that renders a page again is refused. Nothing when the page
   * has none (CSP mode off).
   */
  private static String nonce(String page) {
    Matcher nonce = NONCE.matcher(page);
    return nonce.find()
        ? "&primefaces.nonce=" + URLEncoder.encode(nonce.group(1), StandardCharsets.UTF_8)
        : "";
  }
}
