package io.keyport.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies a provider's JWTs with Nimbus JOSE+JWT: the signature against the provider's published
 * keys (asymmetric algorithms only, so a token signed with the public key as an HMAC secret is
 * refused), then issuer, audience, expiry and not-before with a minute of clock skew, and for ID
 * tokens the nonce of the sign-in that asked for them. Unsigned ({@code alg: none}) tokens never
 * parse as signed ones.
 */
final class TokenVerifier {

  static final int CLOCK_SKEW_SECONDS = 60;

  private static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512);

  private final String issuer;
  private final String audience;
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  TokenVerifier(String issuer, String audience, JWKSource<SecurityContext> keys) {
    this.issuer = issuer;
    this.audience = audience;
    // ID tokens are typed JWT or untyped; JWT access tokens (RFC 9068) are at+jwt.
    processor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
    // Mutable sets: Nimbus 10.5 (Payara's copy) asks them whether they contain null.
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            new HashSet<>(List.of(audience)),
            new JWTClaimsSet.Builder().issuer(issuer).build(),
            new HashSet<>(List.of("sub", "iat", "exp")),
            null);
    claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
    processor.setJWTClaimsSetVerifier(claims);
  }

  /**
   * The verified claims of {@code token}; {@code expectedNonce} is the sign-in's nonce for an ID
   * token, or null for a bearer token.
   */
  JWTClaimsSet verify(String token, String expectedNonce) throws OidcFailure {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token.trim());
    } catch (ParseException e) {
      throw new OidcFailure(OidcFailure.Reason.MALFORMED, "not a signed JWT");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(jwt, null);
    } catch (BadJWSException e) {
      throw new OidcFailure(OidcFailure.Reason.SIGNATURE, e.getMessage());
    } catch (BadJWTException e) {
      throw new OidcFailure(whyRefused(jwt), e.getMessage());
    } catch (BadJOSEException e) {
      // No key of the provider's set fits the token's key id and algorithm, or a wrong type.
      throw new OidcFailure(OidcFailure.Reason.SIGNATURE, e.getMessage());
    } catch (KeySourceException e) {
      throw new OidcFailure(
          OidcFailure.Reason.UNAVAILABLE, "the provider's keys could not be fetched: " + e, e);
    } catch (JOSEException e) {
      throw new OidcFailure(OidcFailure.Reason.SIGNATURE, e.getMessage());
    }
    if (expectedNonce != null) {
      Object nonce = claims.getClaim("nonce");
      if (!expectedNonce.equals(nonce)) {
        throw new OidcFailure(
            OidcFailure.Reason.NONCE, "the ID token's nonce is not the one this sign-in sent");
      }
    }
    return claims;
  }

  /** Names what the claims verifier refused; the signature was good by then. */
  private OidcFailure.Reason whyRefused(SignedJWT jwt) {
    try {
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!issuer.equals(claims.getIssuer())) {
        return OidcFailure.Reason.ISSUER;
      }
      List<String> audiences = claims.getAudience();
      if (audiences == null || !audiences.contains(audience)) {
        return OidcFailure.Reason.AUDIENCE;
      }
      Date now = new Date();
      Date expiry = claims.getExpirationTime();
      Date notBefore = claims.getNotBeforeTime();
      if ((expiry != null && expiry.getTime() + CLOCK_SKEW_SECONDS * 1000L < now.getTime())
          || (notBefore != null
              && notBefore.getTime() - CLOCK_SKEW_SECONDS * 1000L > now.getTime())) {
        return OidcFailure.Reason.EXPIRED;
      }
    } catch (ParseException e) {
      return OidcFailure.Reason.MALFORMED;
    }
    return OidcFailure.Reason.MALFORMED;
  }
}
