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
   * Reads the claims. The username is the claim the operator named ({@code
   * keyport.oidc.username-claim}), else {@code email} when the provider says it checked it ({@code
   * email_verified} true); nothing else, as a username taken from a claim the person typed in
   * themselves (an unverified address, {@code preferred_username}) would let anyone claim a name.
   * The display name is {@code name}, else given and family names, else the username.
   */
  static OidcIdentity of(
      JWTClaimsSet claims,
      Optional<String> usernameClaim,
      Optional<String> adminClaim,
      Optional<String> adminValue)
      throws OidcFailure {
    String username = username(claims, usernameClaim);
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

  private static String username(JWTClaimsSet claims, Optional<String> usernameClaim)
      throws OidcFailure {
    if (usernameClaim.isPresent()) {
      String claimed = usable(string(claims, usernameClaim.get()));
      if (claimed == null) {
        throw new OidcFailure(
            OidcFailure.Reason.NO_USERNAME,
            "the token's "
                + usernameClaim.get()
                + " claim (keyport.oidc.username-claim) is missing, not a string, longer than "
                + MAX_USERNAME
                + " characters or holds spaces");
      }
      return claimed;
    }
    String email = usable(string(claims, "email"));
    if (email == null) {
      throw new OidcFailure(
          OidcFailure.Reason.NO_USERNAME,
          "the token has no email claim; release it to Keyport's client (scope email), or name"
              + " another claim in keyport.oidc.username-claim");
    }
    if (!verified(claims.getClaim("email_verified"))) {
      throw new OidcFailure(
          OidcFailure.Reason.UNVERIFIED,
          "the token's email "
              + email
              + " is not marked verified (email_verified is "
              + claims.getClaim("email_verified")
              + ")");
    }
    return email;
  }

  /**
   * Only a real yes: the JSON boolean true, or the string "true" that some providers (Cognito,
   * older ADFS) send in its place. Missing, false, "yes", 1 and everything else are no.
   */
  static boolean verified(Object claim) {
    return Boolean.TRUE.equals(claim) || (claim instanceof String text && "true".equals(text));
  }

  private static String usable(String value) {
    if (value == null) {
      return null;
    }
    String username = value.trim().toLowerCase(Locale.ROOT);
    boolean plain =
        username
            .codePoints()
            .noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
    return username.isEmpty() || username.length() > MAX_USERNAME || !plain ? null : username;
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
