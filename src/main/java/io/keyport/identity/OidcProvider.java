package io.keyport.identity;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The configured OpenID Connect provider: its metadata, found through discovery on first use (so a
 * provider that is down at start-up delays sign-in, not the portal), its signing keys, and its
 * token endpoint. Nothing here logs or keeps a token.
 */
@ApplicationScoped
public class OidcProvider {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int KEYS_TIMEOUT_MILLIS = 5_000;
  private static final int KEYS_SIZE_LIMIT = 512 * 1024;

  @Inject private OidcSettings settings;

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private volatile Metadata metadata;
  private volatile TokenVerifier verifier;

  /** The endpoints discovery names; the issuer exactly as the provider writes it in tokens. */
  public record Metadata(
      String issuer,
      URI authorizationEndpoint,
      URI tokenEndpoint,
      URI jwksUri,
      Optional<URI> endSessionEndpoint,
      boolean secretInBody) {}

  /** What the token endpoint answered; the access token is absent where a provider sends none. */
  record Tokens(String idToken, Optional<String> accessToken) {}

  public Metadata metadata() throws OidcFailure {
    Metadata known = metadata;
    if (known == null) {
      synchronized (this) {
        known = metadata;
        if (known == null) {
          known = discover();
          metadata = known;
        }
      }
    }
    return known;
  }

  /** Verifies tokens of this provider for this client: signature by its JWKS, issuer, audience. */
  TokenVerifier verifier() throws OidcFailure {
    TokenVerifier known = verifier;
    if (known == null) {
      Metadata provider = metadata();
      synchronized (this) {
        known = verifier;
        if (known == null) {
          known = new TokenVerifier(provider.issuer(), settings.clientId(), keys(provider));
          verifier = known;
        }
      }
    }
    return known;
  }

  /** Trades an authorization code for tokens, proving the code is ours with the PKCE verifier. */
  Tokens exchange(String code, String redirectUri, String codeVerifier) throws OidcFailure {
    Metadata provider = metadata();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", redirectUri);
    form.put("code_verifier", codeVerifier);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(provider.tokenEndpoint())
            .timeout(TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json");
    Optional<String> secret = settings.clientSecret();
    if (secret.isPresent() && !provider.secretInBody()) {
      // RFC 6749 §2.3.1: both parts form-encoded before Basic.
      String pair = formEncode(settings.clientId()) + ":" + formEncode(secret.get());
      request.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    } else {
      form.put("client_id", settings.clientId());
      secret.ifPresent(s -> form.put("client_secret", s));
    }
    HttpResponse<String> response =
        send(request.POST(HttpRequest.BodyPublishers.ofString(form(form))));
    JsonObject body = jsonObject(response.body());
    if (response.statusCode() >= 500) {
      throw new OidcFailure(
          OidcFailure.Reason.UNAVAILABLE,
          "the token endpoint answered HTTP " + response.statusCode());
    }
    if (response.statusCode() != 200 || body == null) {
      String error = body == null ? "no JSON body" : body.getString("error", "no error code");
      throw new OidcFailure(
          OidcFailure.Reason.CODE,
          "the token endpoint refused the code: HTTP " + response.statusCode() + ", " + error);
    }
    String idToken = body.getString("id_token", null);
    if (idToken == null) {
      throw new OidcFailure(
          OidcFailure.Reason.MALFORMED,
          "the token endpoint sent no id_token; is 'openid' among keyport.oidc.scopes?");
    }
    return new Tokens(idToken, Optional.ofNullable(body.getString("access_token", null)));
  }

  /**
   * Where to send the browser to end the provider's session too, for providers that have an
   * end-session endpoint (OpenID Connect RP-Initiated Logout); empty for those that have none.
   */
  public Optional<URI> endSession(String idTokenHint, String afterLogout) {
    Metadata provider = metadata;
    if (provider == null || provider.endSessionEndpoint().isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> query = new LinkedHashMap<>();
    if (idTokenHint != null) {
      query.put("id_token_hint", idTokenHint);
    }
    query.put("client_id", settings.clientId());
    query.put("post_logout_redirect_uri", afterLogout);
    URI endpoint = provider.endSessionEndpoint().get();
    String separator = endpoint.getRawQuery() == null ? "?" : "&";
    return Optional.of(URI.create(endpoint + separator + form(query)));
  }

  private Metadata discover() throws OidcFailure {
    String issuer = settings.issuer();
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    URI discovery = URI.create(base + "/.well-known/openid-configuration");
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(discovery)
                .timeout(TIMEOUT)
                .header("Accept", "application/json")
                .GET());
    JsonObject body = jsonObject(response.body());
    if (response.statusCode() != 200 || body == null) {
      throw new OidcFailure(
          OidcFailure.Reason.UNAVAILABLE,
          "discovery at "
              + discovery
              + " answered HTTP "
              + response.statusCode()
              + " without metadata");
    }
    String named = body.getString("issuer", "");
    // OpenID Connect Discovery §4.3: the metadata must name the issuer that was asked.
    if (!stripSlash(named).equals(stripSlash(issuer))) {
      throw new OidcFailure(
          OidcFailure.Reason.UNAVAILABLE,
          "discovery at "
              + discovery
              + " names issuer '"
              + named
              + "', not "
              + issuer
              + "; check keyport.oidc.issuer");
    }
    try {
      return new Metadata(
          named,
          URI.create(body.getString("authorization_endpoint")),
          URI.create(body.getString("token_endpoint")),
          URI.create(body.getString("jwks_uri")),
          Optional.ofNullable(body.getString("end_session_endpoint", null)).map(URI::create),
          secretInBody(body.get("token_endpoint_auth_methods_supported")));
    } catch (NullPointerException | ClassCastException | IllegalArgumentException e) {
      throw new OidcFailure(
          OidcFailure.Reason.UNAVAILABLE,
          "discovery at " + discovery + " lacks authorization_endpoint, token_endpoint or jwks_uri",
          e);
    }
  }

  /**
   * Basic is the default of OpenID Connect; the body only where the provider offers nothing else.
   */
  private static boolean secretInBody(JsonValue methods) {
    if (!(methods instanceof JsonArray list)) {
      return false;
    }
    boolean basic =
        list.stream()
            .anyMatch(
                v -> v instanceof JsonString s && s.getString().equals("client_secret_basic"));
    boolean post =
        list.stream()
            .anyMatch(v -> v instanceof JsonString s && s.getString().equals("client_secret_post"));
    return post && !basic;
  }

  private static JWKSource<SecurityContext> keys(Metadata provider) throws OidcFailure {
    try {
      // Cached, refreshed when a token names a key id not seen before (key rotation).
      return JWKSourceBuilder.<SecurityContext>create(
              provider.jwksUri().toURL(),
              new DefaultResourceRetriever(
                  KEYS_TIMEOUT_MILLIS, KEYS_TIMEOUT_MILLIS, KEYS_SIZE_LIMIT))
          .retrying(true)
          .build();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new OidcFailure(
          OidcFailure.Reason.UNAVAILABLE, "jwks_uri " + provider.jwksUri() + " is not a URL", e);
    }
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws OidcFailure {
    HttpRequest built = request.build();
    try {
      return http.send(built, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new OidcFailure(
          OidcFailure.Reason.UNAVAILABLE,
          "no answer from "
              + built.uri().getScheme()
              + "://"
              + built.uri().getAuthority()
              + built.uri().getPath()
              + ": "
              + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OidcFailure(
          OidcFailure.Reason.UNAVAILABLE, "interrupted while calling the provider", e);
    }
  }

  private static JsonObject jsonObject(String body) {
    try (JsonReader reader = Json.createReader(new StringReader(body))) {
      JsonValue value = reader.readValue();
      return value instanceof JsonObject object ? object : null;
    } catch (JsonException | IllegalStateException e) {
      return null;
    }
  }

  static String form(Map<String, String> values) {
    return values.entrySet().stream()
        .map(e -> formEncode(e.getKey()) + "=" + formEncode(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static String formEncode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String stripSlash(String issuer) {
    return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
  }
}
