package io.keyport.identity;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Start-up checks of the sign-in settings: OIDC never runs on a redirect URI from the request. */
class OidcSettingsTest {

  private static OidcSettings settings(String mode, String redirectUri) {
    OidcSettings settings = new OidcSettings();
    settings.mode = mode;
    settings.issuer = Optional.of("https://id.example.com");
    settings.clientId = Optional.of("keyport");
    settings.clientSecret = Optional.empty();
    settings.scopes = "openid email profile";
    settings.providerName = "ExampleID";
    settings.adminClaim = Optional.empty();
    settings.adminValue = Optional.empty();
    settings.redirectUri = Optional.ofNullable(redirectUri);
    settings.usernameClaim = Optional.empty();
    return settings;
  }

  @Test
  void oidcWithoutARedirectUriDoesNotStartAndSaysWhatToSet() {
    for (String mode : new String[] {"oidc", "both"}) {
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> settings(mode, null).validate());
      assertTrue(refused.getMessage().contains("keyport.oidc.redirect-uri"), refused.getMessage());
      assertTrue(refused.getMessage().contains("KEYPORT_OIDC_REDIRECT_URI"), refused.getMessage());
      assertThrows(IllegalStateException.class, () -> settings(mode, "  ").validate());
    }
  }

  @Test
  void aRedirectUriMustBeAnAbsoluteCallbackAddress() {
    for (String bad :
        new String[] {
          "/oidc/callback",
          "portal.example.com/oidc/callback",
          "ftp://portal.example.com/oidc/callback",
          "https://portal.example.com/elsewhere",
          "https://portal.example.com/oidc/callback?next=https://evil.example",
          "https://portal.example.com/oidc/callback#x"
        }) {
      assertThrows(
          IllegalStateException.class, () -> settings("oidc", bad).validate(), "accepted " + bad);
    }
    assertDoesNotThrow(
        () -> settings("oidc", "https://portal.example.com/oidc/callback").validate());
    assertDoesNotThrow(
        () -> settings("both", "https://example.com/keyport/oidc/callback").validate());
  }

  @Test
  void localSignInNeedsNoRedirectUri() {
    assertDoesNotThrow(() -> settings("local", null).validate());
  }

  @Test
  void aBlankUsernameClaimIsRefused() {
    OidcSettings settings = settings("oidc", "https://portal.example.com/oidc/callback");
    settings.usernameClaim = Optional.of(" ");
    assertThrows(IllegalStateException.class, settings::validate);
  }
}
