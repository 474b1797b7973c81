package io.keyport.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A person as the provider's verified token describes them. {@code admin} is empty when no admin
 * claim is configured, so roles are left as they are.
 */
record OidcIdentity(
    String issuer, String subject, String username, String displayName, Optional<Boolean> admin) {

  private static final int MAX_DISPLAY_NAME = 200;
  private static final int MAX_USERNAME = 254;

  /**
   * Reads the claims: the username is {@code email} unless the provider says it is unverified, else
   * {@code preferred_username}; the display name is {@code name}, else given and family names, else
   * the username.
   */
  static OidcIdentity of(
      JWTClaimsSet claims, Optional<String> adminClaim, Optional<String> adminValue)
      throws OidcFailure {
    String username = username(claims);
    if (username == null) {
      throw new OidcFailure(
          OidcFailure.Reason.NO_USERNAME,
          "the token has neither a verified email nor preferred_username; release one of them to"
              + " Keyport's client (scope email or profile)");
    }
    String name = string(claims, "name");
    if (name == null) {
      String given = string(claims, "given_name");
      String family = string(claims, "family_name");
      name =
          given == null && family == null
              ? username
              : ((given == null ? "" : given) + " " + (family == null ? "" : family)).trim();
    }
    if (name.length() > MAX_DISPLAY_NAME) {
      name = name.substring(0, MAX_DISPLAY_NAME);
    }
    Optional<Boolean> admin =
        adminClaim.map(claim -> holds(claims.getClaims(), claim, adminValue.orElse("")));
    return new OidcIdentity(claims.getIssuer(), claims.getSubject(), username, name, admin);
  }

  private static String username(JWTClaimsSet claims) {
    String email = string(claims, "email");
    Object verified = claims.getClaim("email_verified");
    // Linking to an existing account by an address the provider has not checked would let anyone
    // who types that address into their profile take the account over.
    boolean unverified = Boolean.FALSE.equals(verified) || "false".equals(verified);
    String chosen = email != null && !unverified ? email : string(claims, "preferred_username");
    if (chosen == null) {
      return null;
    }
    chosen = chosen.trim().toLowerCase(Locale.ROOT);
    return chosen.isEmpty() || chosen.length() > MAX_USERNAME ? null : chosen;
  }

  private static String string(JWTClaimsSet claims, String name) {
    try {
      String value = claims.getStringClaim(name);
      return value == null || value.isBlank() ? null : value.trim();
    } catch (ParseException notAString) {
      return null;
    }
  }

  /**
   * Whether the claim named {@code path} is {@code value} or a list that contains it. A name that
   * is not a claim itself is read as a path into nested objects, as Keycloak's {@code
   * realm_access.roles}; so Auth0's namespaced {@code https://example.com/groups} still works.
   */
  static boolean holds(Map<String, Object> claims, String path, String value) {
    Object current = claims.get(path);
    if (current == null) {
      current = claims;
      for (String part : path.split("\\.")) {
        if (!(current instanceof Map<?, ?> map)) {
          return false;
        }
        current = map.get(part);
      }
    }
    if (current instanceof Collection<?> values) {
      return values.stream().anyMatch(v -> value.equals(String.valueOf(v)));
    }
    return current != null && value.equals(String.valueOf(current));
  }
}
