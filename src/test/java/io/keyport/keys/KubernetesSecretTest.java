package io.keyport.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Gloo's API-key Secret (SPEC §11), read back by a Kubernetes model library. */
class KubernetesSecretTest {

  // Kubernetes' rule for a label value (k8s.io/apimachinery validation.IsValidLabelValue).
  private static final Pattern LABEL_VALUE =
      Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

  private static KeyView key(String product, Map<String, String> metadata) {
    return new KeyView(
        UUID.fromString("3f0c8d4e-2b1a-4c5d-9e8f-0a1b2c3d4e5f"),
        "ci \"main\": deploy",
        product,
        null,
        "gold",
        "Gold",
        "kp_AAAA…",
        metadata,
        Instant.parse("2026-12-04T12:00:00Z"),
        null,
        null,
        KeyStatus.ACTIVE,
        List.of(),
        KeyScopes.NONE,
        null);
  }

  @Test
  void theYamlIsAV1SecretOfGloosTypeWithTheValueMetadataAndLabels() {
    String value = "kp_" + "a".repeat(32) + "000000";
    Secret secret =
        Serialization.unmarshal(
            KubernetesSecret.yaml(
                key("petstore", Map.of("team", "blue")), "dev@example.com", value),
            Secret.class);
    assertEquals("v1", secret.getApiVersion());
    assertEquals("Secret", secret.getKind());
    assertEquals("extauth.solo.io/apikey", secret.getType());
    assertEquals("keyport-3f0c8d4e-2b1a-4c5d-9e8f-0a1b2c3d4e5f", secret.getMetadata().getName());
    assertEquals(
        Map.of(
            "keyport.io/user", "dev_example.com",
            "keyport.io/plan", "gold",
            "keyport.io/product", "petstore"),
        secret.getMetadata().getLabels());
    assertEquals(value, decoded(secret, "api-key"));
    assertEquals("ci \"main\": deploy", decoded(secret, "name"));
    assertEquals("gold", decoded(secret, "usagePlan"));
    assertEquals("dev@example.com", decoded(secret, "username"));
    assertEquals("petstore", decoded(secret, "apiProduct"));
    assertEquals("blue", decoded(secret, "team"));
  }

  @Test
  void aPlanWideKeyHasNoProductLabelOrField() {
    Secret secret =
        Serialization.unmarshal(
            KubernetesSecret.yaml(key(null, Map.of()), "dev@example.com", "kp_x"), Secret.class);
    assertFalse(secret.getMetadata().getLabels().containsKey("keyport.io/product"));
    assertFalse(secret.getData().containsKey("apiProduct"));
  }

  @Test
  void labelValuesAreValidKubernetesLabelValues() {
    for (String raw :
        List.of(
            "dev@example.com",
            "-Ünïcode user+tag@example.com-",
            "x".repeat(80) + "@example.com",
            "@@@",
            "a.b_c-d")) {
      String label = KubernetesSecret.labelValue(raw);
      assertTrue(label.length() <= 63, label);
      assertTrue(LABEL_VALUE.matcher(label).matches(), raw + " → " + label);
    }
    assertEquals("dev_example.com", KubernetesSecret.labelValue("dev@example.com"));
    assertEquals("a.b_c-d", KubernetesSecret.labelValue("a.b_c-d"));
  }

  @Test
  void thePagesPartCarriesEverythingButTheValue() {
    String json = KubernetesSecret.withoutValue(key("petstore", Map.of()), "dev@example.com");
    assertFalse(json.contains("api-key"), json);
    assertTrue(json.contains("\"keyport.io/user\":\"dev_example.com\""), json);
  }

  private static String decoded(Secret secret, String field) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(field)), StandardCharsets.UTF_8);
  }
}
