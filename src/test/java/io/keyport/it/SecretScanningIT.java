package io.keyport.it;

import static io.keyport.it.TestDatabase.one;
import static io.keyport.testsupport.Users.ADMIN;
import static io.keyport.testsupport.Users.ADMIN_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Keys;
import io.keyport.testsupport.ServerConfig;
import io.keyport.testsupport.Shared;
import io.keyport.testsupport.Users;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Leaked keys (issue 19, docs/notifications.md): GitHub's secret-scanning partner endpoint on the
 * shared DEFAULT node, with the scanner's public keys served by this test in GitHub's format on
 * {@code it.scanning.port} and reports signed here with ECDSA P-256 as GitHub signs them; and the
 * owner's and the administrator's "report as leaked".
 */
@ExtendWith(KeyportServers.class)
class SecretScanningIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REPORTS = "secret-scanning/github";
  private static final String KEY_ID = "it-" + UUID.randomUUID();

  @Shared URL base;

  private static HttpServer keysServer;
  private static KeyPair published;
  private static KeyPair unpublished;

  @BeforeAll
  static void publishTheScannersKeys() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    published = ec.generateKeyPair();
    unpublished = ec.generateKeyPair();
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(published.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    byte[] list =
        JSON.writeValueAsBytes(
            JSON.createObjectNode()
                .set(
                    "public_keys",
                    JSON.createArrayNode()
                        .add(
                            JSON.createObjectNode()
                                .put("key_identifier", KEY_ID)
                                .put("key", pem)
                                .put("is_current", true))));
    keysServer =
        HttpServer.create(new InetSocketAddress("127.0.0.1", ServerConfig.scanningKeysPort()), 8);
    keysServer.createContext(
        ServerConfig.SCANNING_KEYS_PATH,
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, list.length);
          exchange.getResponseBody().write(list);
          exchange.close();
        });
    keysServer.start();
  }

  @AfterAll
  static void stopServingKeys() {
    if (keysServer != null) {
      keysServer.stop(0);
    }
  }

  @Test
  void aSignedReportRevokesTheKeyAuditsItAndTellsTheOwner() throws Exception {
    Http http = new Http(base);
    Users.Person owner = Users.create(http, "leaked", "developer");
    Keys.Created key =
        Keys.create(http, owner.username(), owner.password(), "leaked", "petstore", "gold");
    assertEquals(200, http.check("/petstore/pets", key.value()).statusCode());
    String other = Keys.create(http, "other", "petstore", "gold").value();
    // A well-formed value (its checksum right) of no key.
    String stranger = SpecKeys.unknown();
    String where = "https://github.com/octo/app/blob/5e1f/config/.env";
    String body =
        "[{\"token\":\""
            + key.value()
            + "\",\"type\":\"keyport_api_key\",\"url\":\""
            + where
            + "\",\"source\":\"content\"},"
            + "{\"token\":\""
            + stranger
            + "\",\"type\":\"keyport_api_key\",\"url\":\"https://gist.github.com/x\"},"
            + "{\"token\":\"not-a-key-at-all\",\"type\":\"keyport_api_key\",\"source\":\"npm\"}]";

    HttpResponse<String> answer = report(http, body, KEY_ID, sign(published.getPrivate(), body));

    assertEquals(200, answer.statusCode(), answer.body());
    JsonNode findings = JSON.readTree(answer.body());
    assertEquals(3, findings.size(), answer.body());
    assertEquals(sha256(key.value()), findings.get(0).path("token_hash").asText());
    assertEquals("keyport_api_key", findings.get(0).path("token_type").asText());
    assertEquals("true_positive", findings.get(0).path("label").asText());
    assertEquals(sha256(stranger), findings.get(1).path("token_hash").asText());
    assertEquals("false_positive", findings.get(1).path("label").asText());
    assertEquals("false_positive", findings.get(2).path("label").asText());
    assertFalse(answer.body().contains(key.value()), "the value is never echoed");

    assertEquals(401, http.check("/petstore/pets", key.value()).statusCode());
    assertEquals(
        "found in public by GitHub secret scanning: " + where,
        one("select revoked_reason from api_key where id = ?::uuid", key.id()));
    assertEquals(
        "1",
        one(
            "select count(*) from audit_event where action = 'api_key.leaked'"
                + " and actor = 'GitHub secret scanning' and target_id = ?",
            key.id()));
    String event =
        one(
            "select body from notification_event where type = 'key.leaked' and subject = ?",
            owner.username());
    assertTrue(event.contains(key.id()) && event.contains(where), event);
    assertFalse(event.contains(key.value()), "a key value in an event: " + event);
    assertEquals(200, http.check("/petstore/pets", other).statusCode(), "the other key passes");

    // The same signed body again: refused, and nothing more is written.
    HttpResponse<String> replay = report(http, body, KEY_ID, sign(published.getPrivate(), body));
    assertEquals(409, replay.statusCode(), replay.body());
    assertEquals("replayed_report", JSON.readTree(replay.body()).path("error").asText());
    assertEquals(
        "1",
        one(
            "select count(*) from audit_event where action = 'api_key.leaked' and target_id = ?",
            key.id()));
  }

  @Test
  void badReportsAreRefusedAndRevokeNothing() throws Exception {
    Http http = new Http(base);
    Keys.Created key = Keys.create(http, "kept", "petstore", "gold");
    String body =
        "[{\"token\":\"" + key.value() + "\",\"type\":\"keyport_api_key\",\"url\":\"https://x\"}]";
    String signature = sign(published.getPrivate(), body);
    List<HttpResponse<String>> refused = new ArrayList<>();

    // signed over another body
    String other = body.replace("https://x", "https://y");
    refused.add(expect(401, "bad_signature", report(http, other, KEY_ID, signature)));
    // not base64, or not a signature
    refused.add(expect(401, "bad_signature", report(http, body, KEY_ID, "%%%")));
    refused.add(expect(401, "bad_signature", report(http, body, KEY_ID, "AAAA")));
    // signed by a key the scanner never published
    refused.add(
        expect(
            401,
            "unknown_key_identifier",
            report(http, body, "not-published", sign(unpublished.getPrivate(), body))));
    // the right identifier, the wrong private key
    refused.add(
        expect(
            401,
            "bad_signature",
            report(http, body, KEY_ID, sign(unpublished.getPrivate(), body))));
    // no headers
    refused.add(expect(400, "invalid_request", report(http, body, null, null)));
    // signed, but too large, not JSON, or not the shape of a report
    String huge = "[" + "{\"token\":\"x\",\"type\":\"t\"},".repeat(30_000) + "{}]";
    refused.add(
        expect(413, "too_large", report(http, huge, KEY_ID, sign(published.getPrivate(), huge))));
    for (String bad :
        List.of(
            "{\"token\":\"" + key.value() + "\"}",
            "[]",
            "[{\"token\":\"" + key.value() + "\"}]",
            "[{\"token\":42,\"type\":\"t\"}]",
            "not json " + key.value())) {
      refused.add(
          expect(
              400,
              "invalid_request",
              report(http, bad, KEY_ID, sign(published.getPrivate(), bad))));
    }
    HttpResponse<String> get = http.send(http.request(REPORTS).GET());
    assertEquals(405, get.statusCode(), get.body());

    for (HttpResponse<String> answer : refused) {
      assertFalse(
          answer.body().contains(key.value()), "a key value in a refusal: " + answer.body());
    }
    assertEquals(200, http.check("/petstore/pets", key.value()).statusCode());
    assertNull(one("select revoked_at from api_key where id = ?::uuid", key.id()));
    assertEquals(
        "0",
        one(
            "select count(*) from audit_event where action = 'api_key.leaked' and target_id = ?",
            key.id()));
  }

  @Test
  void anOwnerOrAnAdminReportsAKeyAsLeaked() throws Exception {
    Http http = new Http(base);
    Users.Person owner = Users.create(http, "reporter", "developer");
    Keys.Created mine =
        Keys.create(http, owner.username(), owner.password(), "mine", "petstore", "gold");
    Keys.Created theirs =
        Keys.create(http, owner.username(), owner.password(), "theirs", "petstore", "gold");
    Users.Person stranger = Users.create(http, "stranger", "developer");

    String leaked = "api/v1/api-keys/" + mine.id() + "/leaked";
    assertEquals(
        404, http.api("POST", leaked, stranger.username(), stranger.password(), null).statusCode());
    HttpResponse<String> reported =
        http.api("POST", leaked, owner.username(), owner.password(), null);
    assertEquals(200, reported.statusCode(), reported.body());
    assertEquals(
        "revoked", JSON.readTree(reported.body()).path("status").asText(), reported.body());
    assertEquals(401, http.check("/petstore/pets", mine.value()).statusCode());
    assertEquals(
        404, http.api("POST", leaked, owner.username(), owner.password(), null).statusCode());

    String admin = "api/v1/admin/api-keys/" + theirs.id() + "/leaked";
    assertEquals(
        403, http.api("POST", admin, owner.username(), owner.password(), null).statusCode());
    HttpResponse<String> byAdmin = http.api("POST", admin, ADMIN, ADMIN_PASSWORD, null);
    assertEquals(200, byAdmin.statusCode(), byAdmin.body());
    assertEquals(401, http.check("/petstore/pets", theirs.value()).statusCode());
    HttpResponse<String> again = http.api("POST", admin, ADMIN, ADMIN_PASSWORD, null);
    assertEquals(409, again.statusCode(), again.body());

    assertEquals(
        "2",
        one(
            "select count(*) from notification_event where type = 'key.leaked' and subject = ?",
            owner.username()));
    assertEquals(
        "reported as leaked by an administrator (" + ADMIN + ")",
        one("select revoked_reason from api_key where id = ?::uuid", theirs.id()));
  }

  // ---------------------------------------------------------------- helpers

  private static HttpResponse<String> report(
      Http http, String body, String keyId, String signature) {
    HttpRequest.Builder request =
        http.request(REPORTS)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (keyId != null) {
      request.header("Github-Public-Key-Identifier", keyId);
    }
    if (signature != null) {
      request.header("Github-Public-Key-Signature", signature);
    }
    return http.send(request);
  }

  private static HttpResponse<String> expect(int status, String error, HttpResponse<String> answer)
      throws Exception {
    assertEquals(status, answer.statusCode(), answer.body());
    assertEquals(error, JSON.readTree(answer.body()).path("error").asText(), answer.body());
    return answer;
  }

  /** As GitHub signs: ECDSA P-256 with SHA-256 over the raw body, DER, base64. */
  private static String sign(PrivateKey key, String body) throws Exception {
    Signature ecdsa = Signature.getInstance("SHA256withECDSA");
    ecdsa.initSign(key);
    ecdsa.update(body.getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(ecdsa.sign());
  }

  private static String sha256(String value) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
  }
}
