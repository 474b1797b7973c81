package io.keyport.leaks;

import io.keyport.platform.JsonErrors;
import io.keyport.platform.RequestRefused;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * GitHub's secret-scanning partner endpoint: a POST of {@code [{token,type,url,source}]}, signed
 * with ECDSA P-256 over the raw body ({@code Github-Public-Key-Signature}, the key named by {@code
 * Github-Public-Key-Identifier}, see {@link ScanningKeys}). A verified report is answered {@code
 * [{token_hash,token_type,label}]} after {@link LeakReports} handled it; anything else is refused
 * with the JSON error and changes nothing. {@code keyport.secret-scanning.action}: {@code revoke}
 * (the default), {@code notify} (announce only) or {@code off} (404).
 */
@WebServlet(name = "SecretScanning", urlPatterns = "/secret-scanning/github")
public class SecretScanningServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  static final int MAX_BODY_BYTES = 512 * 1024;
  static final int MAX_TOKENS = 1000;
  private static final int MAX_DRAINED_BYTES = 4 * 1024 * 1024;
  private static final int MAX_TOKEN_LENGTH = 1024;
  private static final Logger LOG = Logger.getLogger(SecretScanningServlet.class.getName());

  @Inject
  @ConfigProperty(name = "keyport.secret-scanning.action", defaultValue = "revoke")
  String action;

  @Inject private ScanningKeys keys;
  @Inject private LeakReports reports;

  @Override
  public void init() throws ServletException {
    action = action.strip().toLowerCase(Locale.ROOT);
    if (!List.of("revoke", "notify", "off").contains(action)) {
      throw new ServletException(
          "keyport.secret-scanning.action (env KEYPORT_SECRET_SCANNING_ACTION) is revoke, notify"
              + " or off, not "
              + action);
    }
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (action.equals("off")) {
      JsonErrors.write(response, 404, "not_found", "Secret scanning reports are off here.");
      return;
    }
    String keyId = request.getHeader("Github-Public-Key-Identifier");
    String signature = request.getHeader("Github-Public-Key-Signature");
    if (keyId == null || keyId.isBlank() || signature == null || signature.isBlank()) {
      JsonErrors.write(
          response,
          400,
          "invalid_request",
          "A report needs the Github-Public-Key-Identifier and Github-Public-Key-Signature"
              + " headers.");
      return;
    }
    if (request.getContentLengthLong() > MAX_DRAINED_BYTES) {
      response.setHeader("Connection", "close");
      tooLarge(response);
      return;
    }
    byte[] body = read(request.getInputStream());
    if (body == null) {
      tooLarge(response);
      return;
    }
    try {
      java.util.Optional<Boolean> verified = keys.verifies(keyId.strip(), signature, body);
      if (verified.isEmpty() || !verified.get()) {
        LOG.info(
            "Secret scanning: a report from "
                + request.getRemoteAddr()
                + (verified.isEmpty() ? " names an unknown key" : " has a bad signature")
                + "; refused");
        JsonErrors.write(
            response,
            401,
            verified.isEmpty() ? "unknown_key_identifier" : "bad_signature",
            verified.isEmpty()
                ? "No published secret-scanning key has this identifier."
                : "The signature does not match the body for this key.");
        return;
      }
    } catch (ScanningKeys.Unavailable e) {
      response.setHeader("Retry-After", "60");
      JsonErrors.write(response, 503, "keys_unavailable", e.getMessage());
      return;
    }
    List<LeakReports.Reported> reported;
    try {
      reported = parse(body);
    } catch (RequestRefused refused) {
      JsonErrors.write(response, refused.reason().status(), refused.error(), refused.getMessage());
      return;
    }
    List<LeakReports.Finding> findings;
    try {
      findings = reports.handle(body, reported, action.equals("revoke"));
    } catch (RequestRefused refused) {
      JsonErrors.write(response, refused.reason().status(), refused.error(), refused.getMessage());
      return;
    } catch (RuntimeException failed) {
      // Nothing of the report was kept (one transaction): the scanner sends it again.
      LOG.warning("Secret scanning: a verified report could not be handled (" + failed + ")");
      response.setHeader("Retry-After", "60");
      JsonErrors.write(
          response, 503, "try_again", "The report could not be handled now; send it again later.");
      return;
    }
    long ours = findings.stream().filter(f -> f.label().equals("true_positive")).count();
    LOG.info(
        "Secret scanning: a report of "
            + findings.size()
            + " value(s), "
            + ours
            + " of them Keyport keys ("
            + (action.equals("revoke") ? "live ones revoked" : "announced only")
            + ")");
    JsonArrayBuilder answer = Json.createArrayBuilder();
    for (LeakReports.Finding finding : findings) {
      answer.add(
          Json.createObjectBuilder()
              .add("token_hash", finding.tokenHash())
              .add("token_type", finding.tokenType())
              .add("label", finding.label()));
    }
    response.setStatus(200);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(answer.build().toString());
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    if (!request.getMethod().equals("POST")) {
      response.setHeader("Allow", "POST");
      JsonErrors.write(
          response, 405, "method_not_allowed", "Secret scanners POST their reports here.");
      return;
    }
    super.service(request, response);
  }

  /**
   * The whole body, or null past {@link #MAX_BODY_BYTES}: then the rest, up to {@link
   * #MAX_DRAINED_BYTES}, is read and dropped, so that the sender, still sending, gets the 413.
   */
  private static byte[] read(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    if (body.length <= MAX_BODY_BYTES) {
      return body;
    }
    byte[] dropped = new byte[16 * 1024];
    long total = body.length;
    for (int n; total <= MAX_DRAINED_BYTES && (n = in.read(dropped)) != -1; ) {
      total += n;
    }
    return null;
  }

  private static void tooLarge(HttpServletResponse response) throws IOException {
    JsonErrors.write(
        response,
        413,
        "too_large",
        "A report has at most " + MAX_BODY_BYTES + " bytes; send the values in several reports.");
  }

  /** The reported values: a JSON array of objects with a string token and type. */
  static List<LeakReports.Reported> parse(byte[] body) {
    JsonArray array;
    try (JsonReader reader =
        Json.createReader(
            new java.io.InputStreamReader(
                new ByteArrayInputStream(body), StandardCharsets.UTF_8))) {
      array = reader.readArray();
    } catch (JsonException | IllegalStateException e) {
      throw RequestRefused.invalid(null, "A report is a JSON array of {token, type, url, source}.");
    }
    if (array.isEmpty() || array.size() > MAX_TOKENS) {
      throw RequestRefused.invalid(
          null, "A report names 1 to " + MAX_TOKENS + " values, not " + array.size() + ".");
    }
    List<LeakReports.Reported> reported = new ArrayList<>();
    for (JsonValue entry : array) {
      if (!(entry instanceof JsonObject match)
          || !(match.get("token") instanceof JsonString token)
          || !(match.get("type") instanceof JsonString type)
          || token.getString().isEmpty()
          || token.getString().length() > MAX_TOKEN_LENGTH) {
        throw RequestRefused.invalid(
            null,
            "Each reported value is an object with a token (1 to "
                + MAX_TOKEN_LENGTH
                + " characters) and a type.");
      }
      reported.add(
          new LeakReports.Reported(
              token.getString(), type.getString(), text(match, "url"), text(match, "source")));
    }
    return reported;
  }

  private static String text(JsonObject match, String field) {
    return match.get(field) instanceof JsonString value ? value.getString() : null;
  }
}
