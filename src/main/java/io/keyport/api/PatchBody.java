package io.keyport.api;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import java.io.StringReader;

/**
 * A PATCH body read twice: as its record, and as JSON to tell a field sent as null ({@code
 * "credits": null}: remove) from one left out (leave as it is), which a record cannot.
 */
final class PatchBody<T> {

  private static final Jsonb JSONB = JsonbBuilder.create();

  private final T value;
  private final JsonObject json;

  private PatchBody(T value, JsonObject json) {
    this.value = value;
    this.json = json;
  }

  /**
   * @throws JsonbException when the body is not a JSON object of the record's shape (answered 400)
   */
  static <T> PatchBody<T> read(String body, Class<T> type) {
    if (body == null || body.isBlank()) {
      return null;
    }
    T value = JSONB.fromJson(body, type);
    try (JsonReader reader = Json.createReader(new StringReader(body))) {
      JsonValue json = reader.readValue();
      if (value == null || json.getValueType() != JsonValue.ValueType.OBJECT) {
        return null;
      }
      return new PatchBody<>(value, json.asJsonObject());
    } catch (jakarta.json.JsonException e) {
      throw new JsonbException("The body is not JSON: " + e.getMessage(), e);
    }
  }

  T value() {
    return value;
  }

  /** Whether the body names the field, with a value or null. */
  boolean has(String field) {
    return json.containsKey(field);
  }
}
