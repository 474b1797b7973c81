package io.keyport.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GlooJsonTest {

  @Test
  void fieldsInGlooOrderAndMetadataKeysSorted() {
    assertEquals(
        "{\"api_key\":\"h==\",\"labels\":[\"dev@example.com\"],\"metadata\":{"
            + "\"apiProduct\":\"petstore\",\"created-ts-unix\":\"1732791234\",\"name\":\"ci\","
            + "\"team\":\"blue\",\"usagePlan\":\"gold\",\"username\":\"dev@example.com\"},"
            + "\"uuid\":\"u-1\"}",
        GlooJson.of(
            "h==",
            "dev@example.com",
            "u-1",
            "ci",
            "gold",
            "petstore",
            1732791234L,
            Map.of("team", "blue")));
  }

  @Test
  void aPlanWideKeyHasNoApiProductAsInGlooWhereAKeyBelongsToAPlan() {
    assertEquals(
        "{\"api_key\":\"h==\",\"labels\":[\"dev@example.com\"],\"metadata\":{"
            + "\"created-ts-unix\":\"1732791234\",\"name\":\"ci\","
            + "\"usagePlan\":\"gold\",\"username\":\"dev@example.com\"},"
            + "\"uuid\":\"u-1\"}",
        GlooJson.of("h==", "dev@example.com", "u-1", "ci", "gold", null, 1732791234L, Map.of()));
  }

  @Test
  void escapesAsGoDoes() {
    StringBuilder json = new StringBuilder();
    GlooJson.string(json, "a\"b\\c<d>&e\u2028\n\u0001é");
    assertEquals("\"a\\\"b\\\\c\\u003cd\\u003e\\u0026e\\u2028\\n\\u0001é\"", json.toString());
  }

  @Test
  void gloosOwnFieldsWinOverCustomOnes() {
    String json = GlooJson.of("h", "u@x", "id", "real", "gold", "p", 1, Map.of("zeta", "z"));
    assertEquals(true, json.contains("\"name\":\"real\""));
    assertEquals(true, json.indexOf("\"usagePlan\"") < json.indexOf("\"zeta\""));
  }
}
