package io.keyport.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a provider's token must be for Keyport to take it, and why each bad one is refused. */
class TokenVerifierTest {

  private static final String ISSUER = "https://id.example.com/realms/corp";
  private static final String CLIENT = "keyport";

  private static RSAKey key;
  private static RSAKey otherKey;
  private static TokenVerifier verifier;

  @BeforeAll
  static void keys() throws JOSEException {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    otherKey = new RSAKeyGenerator(2048).keyID("k1").generate();
    verifier =
        new TokenVerifier(
            ISSUER, CLIENT, new ImmutableJWKSet<SecurityContext>(new JWKSet(key.toPublicJWK())));
  }

  @Test
  void aGoodIdTokenPassesWithItsClaims() throws Exception {
    JWTClaimsSet claims = verifier.verify(sign(claims().build(), key), "n-1");
    assertEquals("sub-1", claims.getSubject());
    assertEquals("ada@corp.example", claims.getStringClaim("email"));
  }

  @Test
  void aJwtAccessTokenPassesWithoutANonce() throws Exception {
    SignedJWT token =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID("k1")
                .type(new JOSEObjectType("at+jwt"))
                .build(),
            claims().claim("nonce", null).build());
    token.sign(new RSASSASigner(key));
    assertEquals("sub-1", verifier.verify(token.serialize(), null).getSubject());
  }

  @Test
  void aChangedClaimBreaksTheSignature() throws Exception {
    String[] parts = sign(claims().build(), key).split("\\.");
    String forged =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                claims().claim("email", "admin@example.com").build().toString().getBytes());
    assertRefused(OidcFailure.Reason.SIGNATURE, parts[0] + "." + forged + "." + parts[2], "n-1");
  }

  @Test
  void aTokenSignedByAnotherKeyIsRefused() throws Exception {
    assertRefused(OidcFailure.Reason.SIGNATURE, sign(claims().build(), otherKey), "n-1");
  }

  @Test
  void aTokenSignedWithTheHmacOfThePublicKeyIsRefused() throws Exception {
    SignedJWT token =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
    token.sign(new MACSigner(key.toPublicJWK().toRSAPublicKey().getEncoded()));
    assertRefused(OidcFailure.Reason.SIGNATURE, token.serialize(), "n-1");
  }

  @Test
  void anUnsignedTokenIsRefused() {
    assertRefused(OidcFailure.Reason.MALFORMED, new PlainJWT(claims().build()).serialize(), "n-1");
    assertRefused(OidcFailure.Reason.MALFORMED, "not.a.token", "n-1");
  }

  @Test
  void anotherAudienceIsRefused() throws Exception {
    assertRefused(
        OidcFailure.Reason.AUDIENCE, sign(claims().audience("someone-else").build(), key), "n-1");
  }

  @Test
  void anotherIssuerIsRefused() throws Exception {
    assertRefused(
        OidcFailure.Reason.ISSUER,
        sign(claims().issuer("https://evil.example.com").build(), key),
        "n-1");
  }

  @Test
  void anExpiredTokenIsRefusedBeyondAMinuteOfClockSkew() throws Exception {
    Instant now = Instant.now();
    String withinSkew = sign(claims().expirationTime(Date.from(now.minusSeconds(30))).build(), key);
    assertEquals("sub-1", verifier.verify(withinSkew, "n-1").getSubject());
    String expired = sign(claims().expirationTime(Date.from(now.minusSeconds(120))).build(), key);
    assertRefused(OidcFailure.Reason.EXPIRED, expired, "n-1");
  }

  @Test
  void anIdTokenOfAnotherSignInIsRefusedByItsNonce() throws Exception {
    assertRefused(OidcFailure.Reason.NONCE, sign(claims().build(), key), "n-2");
    assertRefused(
        OidcFailure.Reason.NONCE, sign(claims().claim("nonce", null).build(), key), "n-1");
  }

  @Test
  void aTokenWithoutSubjectIsRefused() throws Exception {
    assertRefused(OidcFailure.Reason.MALFORMED, sign(claims().subject(null).build(), key), "n-1");
  }

  @Test
  void theUsernameIsTheVerifiedEmailAndNeverThePreferredUsername() throws Exception {
    OidcIdentity verified =
        OidcIdentity.of(
            claims().claim("email", "Ada@Corp.Example").claim("email_verified", true).build(),
            none(),
            none(),
            none());
    assertEquals("ada@corp.example", verified.username());
    assertEquals("Ada Lovelace", verified.displayName());
    assertEquals(Optional.empty(), verified.admin());

    OidcFailure unverified =
        assertThrows(
            OidcFailure.class,
            () ->
                OidcIdentity.of(
                    claims()
                        .claim("email", "ada@corp.example")
                        .claim("email_verified", false)
                        .claim("preferred_username", "ada")
                        .build(),
                    none(),
                    none(),
                    none()));
    assertEquals(OidcFailure.Reason.UNVERIFIED, unverified.reason());

    assertThrows(
        OidcFailure.class,
        () ->
            OidcIdentity.of(
                claims().claim("email", null).claim("name", null).build(), none(), none(), none()));
  }

  @Test
  void theAdminClaimIsAValueOrAListHoldingIt() {
    Map<String, Object> claims =
        Map.of(
            "groups", List.of("staff", "keyport-admins"),
            "role", "keyport-admins",
            "realm_access", Map.of("roles", List.of("offline_access", "keyport-admins")),
            "https://keyport.example.com/groups", List.of("keyport-admins"));
    assertEquals(true, OidcIdentity.holds(claims, "groups", "keyport-admins"));
    assertEquals(true, OidcIdentity.holds(claims, "role", "keyport-admins"));
    assertEquals(true, OidcIdentity.holds(claims, "realm_access.roles", "keyport-admins"));
    assertEquals(
        true, OidcIdentity.holds(claims, "https://keyport.example.com/groups", "keyport-admins"));
    assertEquals(false, OidcIdentity.holds(claims, "groups", "keyport"));
    assertEquals(false, OidcIdentity.holds(claims, "missing", "keyport-admins"));
    assertEquals(false, OidcIdentity.holds(claims, "role.deeper", "keyport-admins"));
  }

  @Test
  void thePkceChallengeIsRfc7636sExample() {
    // RFC 7636, Appendix B.
    assertEquals(
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        OidcSignIn.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
  }

  private static JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("sub-1")
        .audience(CLIENT)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)))
        .claim("nonce", "n-1")
        .claim("email", "ada@corp.example")
        .claim("name", "Ada Lovelace");
  }

  private static String sign(JWTClaimsSet claims, RSAKey with) throws JOSEException {
    SignedJWT token =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(with.getKeyID())
                .type(JOSEObjectType.JWT)
                .build(),
            claims);
    token.sign(new RSASSASigner(with));
    return token.serialize();
  }

  private static void assertRefused(OidcFailure.Reason reason, String token, String nonce) {
    OidcFailure failure = assertThrows(OidcFailure.class, () -> verifier.verify(token, nonce));
    assertEquals(reason, failure.reason(), failure.getMessage());
  }

  private static Optional<String> none() {
    return Optional.empty();
  }
}
