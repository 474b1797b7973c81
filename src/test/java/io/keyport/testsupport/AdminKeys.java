package io.keyport.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;

/**
 * An administrator's changes to a key, through the admin API: metadata that becomes a trusted
 * upstream header ({@code keyport.check.headers-from-metadata}, {@code x-team=team} in the tests)
 * is set this way, never by the key's owner.
 */
public final class AdminKeys {

  public static final String ADMIN = "admin@example.com";
  public static final String ADMIN_PASSWORD = "admin";
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminKeys() {}

  /**
   * Replaces the key's custom metadata with {@code metadataJson} (a JSON object), as the admin
   * console's key page does.
   *
   * @return the key as the admin API answers after the change
   */
  public static JsonNode setMetadata(Http http, String keyId, String metadataJson) {
    String path = "api/v1/admin/api-keys/" + keyId;
    try {
      HttpResponse<String> read = http.api("GET", path, ADMIN, ADMIN_PASSWORD, null);
      assertEquals(200, read.statusCode(), "reading key " + keyId + ": " + read.body());
      ObjectNode change = JSON.createObjectNode();
      change.put("lockVersion", JSON.readTree(read.body()).path("lockVersion").asLong());
      change.set("metadata", JSON.readTree(metadataJson));
      HttpResponse<String> changed =
          http.api("PATCH", path, ADMIN, ADMIN_PASSWORD, change.toString());
      assertEquals(
          200, changed.statusCode(), "setting metadata of " + keyId + ": " + changed.body());
      return JSON.readTree(changed.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
