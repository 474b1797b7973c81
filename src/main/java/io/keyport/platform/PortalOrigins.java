package io.keyport.platform;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The web origins of portal front ends served elsewhere, such as Gloo Portal's own UI ({@code
 * keyport.portal-api.allowed-origins}): they may call {@code /v1} from the browser with credentials
 * (CORS), and {@code /v1/login} and {@code /v1/logout} send the browser back to them and nowhere
 * else. Never {@code *}: a wildcard cannot go with credentials, and would let any site read a
 * signed-in user's keys.
 */
@ApplicationScoped
public class PortalOrigins {

  static final String ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS";
  static final String ALLOWED_HEADERS = "Authorization, Content-Type";
  static final String MAX_AGE_SECONDS = "600";

  @Inject
  @ConfigProperty(name = "keyport.portal-api.allowed-origins")
  Optional<String> configured;

  private Set<String> origins = Set.of();

  @PostConstruct
  void init() {
    origins = parse(configured.orElse(null));
  }

  /** The configured origins, each {@code scheme://host[:port]}; a bad entry stops the start. */
  static Set<String> parse(String csv) {
    Set<String> parsed = new LinkedHashSet<>();
    if (csv == null || csv.isBlank()) {
      return Set.of();
    }
    for (String raw : csv.split(",")) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      String origin = bareOrigin(entry);
      if (origin == null) {
        throw new IllegalStateException(
            "keyport.portal-api.allowed-origins (env KEYPORT_PORTAL_API_ALLOWED_ORIGINS): '"
                + entry
                + "' is not an origin. List origins such as https://portal.example.com, separated"
                + " by commas, without paths and never '*'.");
      }
      parsed.add(origin);
    }
    return Set.copyOf(parsed);
  }

  /**
   * The origin of an absolute http(s) URL with a host and no user info, lower-case and without a
   * default port; else null.
   */
  static String origin(String url) {
    URI uri = uri(url);
    if (uri == null) {
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null) {
      return null;
    }
    int port = uri.getPort();
    boolean defaultPort =
        port == -1
            || (scheme.equals("http") && port == 80)
            || (scheme.equals("https") && port == 443);
    return scheme
        + "://"
        + uri.getHost().toLowerCase(Locale.ROOT)
        + (defaultPort ? "" : ":" + port);
  }

  /** The origin when the text is nothing but one ({@code scheme://host[:port]}), else null. */
  static String bareOrigin(String text) {
    URI uri = uri(text);
    boolean bare =
        uri != null
            && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
            && uri.getRawQuery() == null
            && uri.getRawFragment() == null;
    return bare ? origin(text) : null;
  }

  private static URI uri(String text) {
    try {
      return text == null ? null : new URI(text);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  public boolean isEmpty() {
    return origins.isEmpty();
  }

  /** Whether the browser's {@code Origin} header names an allowed origin. */
  public boolean allows(String originHeader) {
    String origin = bareOrigin(originHeader);
    return origin != null && origins.contains(origin);
  }

  /** Whether a redirect target after sign-in or sign-out lies on an allowed origin. */
  public boolean allowsRedirect(String url) {
    String origin = url == null ? null : origin(url);
    return origin != null && origins.contains(origin);
  }

  /**
   * CORS headers for a request from an allowed origin, on every answer, refusals included, so the
   * front end can read a 401 and sign the user in; and, for a preflight, the methods and headers
   * the portal API takes. A foreign origin gets none, so its browser withholds the answer.
   */
  public void applyCors(HttpServletRequest request, HttpServletResponse response) {
    response.addHeader("Vary", "Origin");
    String origin = request.getHeader("Origin");
    if (!allows(origin)) {
      return;
    }
    response.setHeader("Access-Control-Allow-Origin", origin);
    response.setHeader("Access-Control-Allow-Credentials", "true");
    if ("OPTIONS".equals(request.getMethod())
        && request.getHeader("Access-Control-Request-Method") != null) {
      response.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
      response.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
      response.setHeader("Access-Control-Max-Age", MAX_AGE_SECONDS);
    }
  }
}
