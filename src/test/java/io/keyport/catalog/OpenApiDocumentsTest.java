package io.keyport.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OpenApiDocumentsTest {

  private static final String YAML =
      """
      openapi: 3.0.3
      info:
        title: Payments API
        version: 2.0.0
      paths:
        /payments:
          get:
            responses:
              '200':
                description: The payments
      """;

  @Test
  void aYamlDocumentIsReadAndSummarised() {
    assertEquals(
        new OpenApiDocuments.Summary("3.0.3", "Payments API", "2.0.0", 1),
        OpenApiDocuments.check(YAML));
  }

  @Test
  void theDemoDocumentsPass() throws IOException {
    for (String name : new String[] {"petstore.openapi.json", "tracks.openapi.json"}) {
      try (InputStream in = getClass().getResourceAsStream("/demo/" + name)) {
        String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(OpenApiDocuments.check(json).paths() > 0, name);
      }
    }
  }

  @Test
  void anOpenApi31DocumentWithoutPathsPasses() {
    String webhooksOnly =
        """
        {"openapi": "3.1.0", "info": {"title": "Hooks", "version": "1"},
         "webhooks": {"paid": {"post": {"responses": {"200": {"description": "ok"}}}}}}
        """
            .strip();
    assertEquals("3.1.0", OpenApiDocuments.check(webhooksOnly).openapi());
  }

  @Test
  void brokenJsonIsRefusedWithItsPlace() {
    String message = rejected("{\"openapi\": \"3.0.3\",\n \"info\": }");
    assertTrue(message.startsWith("The OpenAPI document is not valid JSON (line 2"), message);
    assertTrue(message.endsWith("Fix it and try again."), message);
  }

  @Test
  void brokenYamlIsRefusedWithItsPlace() {
    String message = rejected("openapi: 3.0.3\ninfo:\n  title: [unclosed\n");
    assertTrue(message.startsWith("The OpenAPI document is not valid YAML"), message);
  }

  @Test
  void swagger2IsRefusedWithAWayForward() {
    String message = rejected("swagger: '2.0'\ninfo:\n  title: Old\n  version: '1'\npaths: {}\n");
    assertTrue(message.contains("This is a Swagger 2.0 document"), message);
    assertTrue(message.contains("Convert it first"), message);
  }

  @Test
  void aDocumentWithoutTheOpenapiFieldIsRefused() {
    String message = rejected("info:\n  title: X\n  version: '1'\npaths: {}\n");
    assertTrue(message.contains("has no openapi field"), message);
  }

  @Test
  void otherOpenapiVersionsAreRefused() {
    assertTrue(
        rejected("openapi: 4.0.0\ninfo: {title: X, version: '1'}\npaths: {}\n")
            .contains("openapi: 4.0.0; Keyport takes OpenAPI 3.0.x and 3.1.x"));
    assertTrue(
        rejected("openapi: 3.1\ninfo: {title: X, version: '1'}\npaths: {}\n")
            .contains("written as text such as \"3.0.3\""));
  }

  @Test
  void missingRequiredFieldsAreNamed() {
    String message = rejected("openapi: 3.0.3\ninfo:\n  version: '1'\n");
    assertTrue(message.startsWith("The OpenAPI document is not valid: "), message);
    assertTrue(message.contains("info.title"), message);
    assertTrue(message.contains("paths"), message);
  }

  @Test
  void aListOrAScalarIsNotADocument() {
    assertTrue(rejected("- a\n- b\n").contains("must be a JSON or YAML object"));
    assertTrue(rejected("just words").contains("must be a JSON or YAML object"));
  }

  @Test
  void aDocumentOverTheSizeLimitIsRefusedBeforeParsing() {
    String huge = "openapi: 3.0.3\n#" + "x".repeat(OpenApiDocuments.MAX_CHARS);
    assertTrue(rejected(huge).contains("Keyport takes at most 1000000"));
  }

  @Test
  void remoteReferencesAreNeverFetched() throws IOException {
    AtomicInteger fetched = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          fetched.incrementAndGet();
          exchange.sendResponseHeaders(404, -1);
          exchange.close();
        });
    server.start();
    try {
      String remote =
          """
          openapi: 3.0.3
          info: {title: X, version: '1'}
          paths:
            /a:
              get:
                responses:
                  '200':
                    $ref: 'http://127.0.0.1:%d/elsewhere.yaml#/components/responses/A'
          """
              .formatted(server.getAddress().getPort());
      OpenApiDocuments.check(remote);
    } finally {
      server.stop(0);
    }
    assertEquals(0, fetched.get(), "checking a document fetched its remote $ref");
  }

  private static String rejected(String text) {
    return assertThrows(OpenApiDocuments.Rejected.class, () -> OpenApiDocuments.check(text))
        .getMessage();
  }

  @Test
  void infoGivesWhatAFrontEndShowsAndYamlReadsAsJson() {
    String yaml =
        "openapi: 3.0.3\ninfo:\n  title: Pets\n  version: '1'\n  termsOfService: https://t.test/\n"
            + "  contact: {name: Pet team, email: pets@example.com}\n  license: {name: MIT}\npaths: {}\n";
    assertEquals(
        new OpenApiDocuments.Info("Pets", "pets@example.com", "MIT", "https://t.test/"),
        OpenApiDocuments.info(yaml));
    assertEquals(
        new OpenApiDocuments.Info("T", "", "", ""),
        OpenApiDocuments.info("{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"T\"}}"));
    assertEquals(OpenApiDocuments.Info.NONE, OpenApiDocuments.info(null));
    assertEquals(
        "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"Pets\",\"version\":\"1\"},\"paths\":{}}",
        OpenApiDocuments.asJson(
            "openapi: 3.0.3\ninfo:\n  title: Pets\n  version: '1'\npaths: {}\n"));
  }
}
