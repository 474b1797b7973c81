package io.keyport.catalog;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks an API product's OpenAPI document before it is stored: JSON or YAML, OpenAPI 3.0 or 3.1,
 * and valid as swagger-parser reads it. Never follows a {@code $ref} to another file or URL: the
 * portal works offline, and an upload must not make the server fetch anything.
 */
public final class OpenApiDocuments {

  /** Large enough for any real API description, small enough for a form post. */
  public static final int MAX_CHARS = 1_000_000;

  private static final int MAX_PROBLEMS_SHOWN = 5;
  private static final Pattern OPENAPI_3 = Pattern.compile("3\\.[01]\\.\\d+");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** What the document says of itself, for the editor to confirm what it read. */
  public record Summary(String openapi, String title, String version, int paths)
      implements java.io.Serializable {}

  /** The document is refused; the message says why and what to do. */
  public static final class Rejected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rejected(String message) {
      super(message);
    }
  }

  private OpenApiDocuments() {}

  /**
   * Reads and checks {@code text}.
   *
   * @throws Rejected when it is not an OpenAPI 3 document, with a message that says what to fix
   */
  public static Summary check(String text) {
    if (text.length() > MAX_CHARS) {
      throw new Rejected(
          "The OpenAPI document has "
              + text.length()
              + " characters; Keyport takes at most "
              + MAX_CHARS
              + ". Split it or remove examples, then try again.");
    }
    boolean json = text.startsWith("{");
    JsonNode root;
    try {
      root = (json ? JSON : YAML).readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new Rejected(
          "The OpenAPI document is not valid "
              + (json ? "JSON" : "YAML")
              + (at == null || at.getLineNr() < 0
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
              + ": "
              + firstLine(e.getOriginalMessage())
              + ". Fix it and try again.");
    }
    if (root == null || !root.isObject()) {
      throw new Rejected(
          "The OpenAPI document must be a JSON or YAML object that starts with openapi: 3.0.3 (or"
              + " 3.1.0); this text is not one.");
    }
    if (root.has("swagger")) {
      throw new Rejected(
          "This is a Swagger "
              + root.get("swagger").asText()
              + " document; Keyport takes OpenAPI 3.0 or 3.1. Convert it first (Swagger Editor:"
              + " Edit, Convert to OpenAPI 3), then upload the result.");
    }
    JsonNode openapi = root.get("openapi");
    if (openapi == null) {
      throw new Rejected(
          "The document has no openapi field. An OpenAPI 3 document starts with openapi: 3.0.3"
              + " (or 3.1.0), followed by info and paths.");
    }
    if (!openapi.isTextual() || !OPENAPI_3.matcher(openapi.asText()).matches()) {
      throw new Rejected(
          "The document says openapi: "
              + openapi.asText()
              + "; Keyport takes OpenAPI 3.0.x and 3.1.x, written as text such as \"3.0.3\".");
    }
    ParseOptions options = new ParseOptions();
    options.setResolve(false);
    SwaggerParseResult result;
    try {
      result = new OpenAPIV3Parser().readContents(text, null, options);
    } catch (RuntimeException e) {
      throw new Rejected(
          "The OpenAPI document could not be read ("
              + e.getMessage()
              + "). Check it in an OpenAPI editor, then try again.");
    }
    List<String> problems = result.getMessages() == null ? List.of() : result.getMessages();
    OpenAPI model = result.getOpenAPI();
    if (!problems.isEmpty() || model == null) {
      throw new Rejected(
          "The OpenAPI document is not valid: "
              + (problems.isEmpty()
                  ? "it could not be read"
                  : String.join("; ", problems.stream().limit(MAX_PROBLEMS_SHOWN).toList())
                      + (problems.size() > MAX_PROBLEMS_SHOWN
                          ? " (and " + (problems.size() - MAX_PROBLEMS_SHOWN) + " more)"
                          : ""))
              + ". Fix "
              + (problems.size() == 1 ? "it" : "them")
              + " and try again.");
    }
    return new Summary(
        model.getOpenapi(),
        model.getInfo() == null ? null : model.getInfo().getTitle(),
        model.getInfo() == null ? null : model.getInfo().getVersion(),
        model.getPaths() == null ? 0 : model.getPaths().size());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** What a front end shows of an API from its document's {@code info}; empty text where absent. */
  public record Info(String title, String contact, String license, String termsOfService) {
    public static final Info NONE = new Info("", "", "", "");
  }

  /**
   * The {@code info} of a stored document (checked when it was stored): contact is the e-mail, else
   * the name, else the URL.
   */
  public static Info info(String document) {
    JsonNode info = document == null ? null : tree(document).path("info");
    if (info == null || !info.isObject()) {
      return Info.NONE;
    }
    JsonNode contact = info.path("contact");
    String contactText =
        firstText(contact.path("email"), contact.path("name"), contact.path("url"));
    return new Info(
        firstText(info.path("title")),
        contactText,
        firstText(info.path("license").path("name")),
        firstText(info.path("termsOfService")));
  }

  /** A stored document as JSON text, whichever of JSON and YAML it was uploaded in. */
  public static String asJson(String document) {
    if (document.startsWith("{")) {
      return document;
    }
    try {
      return JSON.writeValueAsString(tree(document));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A stored OpenAPI document no longer reads", e);
    }
  }

  private static JsonNode tree(String document) {
    try {
      return (document.startsWith("{") ? JSON : YAML).readTree(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A stored OpenAPI document no longer reads", e);
    }
  }

  private static String firstText(JsonNode... candidates) {
    for (JsonNode candidate : candidates) {
      if (candidate.isTextual() && !candidate.asText().isBlank()) {
        return candidate.asText();
      }
    }
    return "";
  }
}
