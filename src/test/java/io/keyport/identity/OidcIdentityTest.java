package io.keyport.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which claims may name a Keyport username: a verified e-mail, or the operator's claim. */
class OidcIdentityTest {

  private static JWTClaimsSet claims(Map<String, Object> values) {
    JWTClaimsSet.Builder builder =
        new JWTClaimsSet.Builder().issuer("https://id.example.com").subject("s-1");
    values.forEach(builder::claim);
    return builder.build();
  }

  private static OidcIdentity read(Map<String, Object> values, String usernameClaim)
      throws OidcFailure {
    return OidcIdentity.of(
        claims(values), Optional.ofNullable(usernameClaim), Optional.empty(), Optional.empty());
  }

  private static OidcFailure.Reason refusal(Map<String, Object> values, String usernameClaim) {
    return assertThrows(OidcFailure.class, () -> read(values, usernameClaim)).reason();
  }

  @Test
  void onlyATrueEmailVerifiedLetsTheAddressBeTheUsername() throws OidcFailure {
    assertEquals(
        "jane@example.com",
        read(Map.of("email", "Jane@Example.com", "email_verified", true), null).username());
    assertEquals(
        "jane@example.com",
        read(Map.of("email", "jane@example.com", "email_verified", "true"), null).username());
    for (Object notYes : new Object[] {false, "false", "TRUE ", "yes", 1, "1"}) {
      assertEquals(
          OidcFailure.Reason.UNVERIFIED,
          refusal(Map.of("email", "admin@example.com", "email_verified", notYes), null),
          "email_verified " + notYes);
    }
    assertEquals(
        OidcFailure.Reason.UNVERIFIED, refusal(Map.of("email", "admin@example.com"), null));
  }

  @Test
  void preferredUsernameNeverNamesAnAccount() {
    assertEquals(
        OidcFailure.Reason.NO_USERNAME,
        refusal(Map.of("preferred_username", "admin@example.com"), null));
  }

  @Test
  void theOperatorsClaimNamesTheUsernameAndNothingElseDoes() throws OidcFailure {
    assertEquals(
        "jdoe",
        read(Map.of("upn", "JDoe", "email", "admin@example.com", "email_verified", true), "upn")
            .username());
    assertEquals(
        OidcFailure.Reason.NO_USERNAME,
        refusal(Map.of("email", "admin@example.com", "email_verified", true), "upn"));
    assertEquals(OidcFailure.Reason.NO_USERNAME, refusal(Map.of("upn", "j doe"), "upn"));
    assertEquals(OidcFailure.Reason.NO_USERNAME, refusal(Map.of("upn", 42), "upn"));
  }

  @Test
  void verifiedIsOnlyARealYes() {
    assertTrue(OidcIdentity.verified(Boolean.TRUE));
    assertTrue(OidcIdentity.verified("true"));
    assertFalse(OidcIdentity.verified(null));
    assertFalse(OidcIdentity.verified("True"));
  }
}
