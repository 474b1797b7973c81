package io.keyport.check;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The check on the portal's port, a plain servlet for every HTTP method (never JAX-RS: this is the
 * hot path). It only reads the request as SPEC §3 says and writes the {@link AuthCheck} verdict; it
 * never reads the body.
 */
@WebServlet(
    name = "AuthCheck",
    urlPatterns = {"/auth/check", "/auth/check/*"})
public class CheckServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final String BEARER = "Bearer ";
  private static final String CHECK_PATH = "/auth/check";

  @Inject private transient AuthCheck check;

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Verdict verdict = check.decide(read(request));
    response.setStatus(verdict.status());
    verdict.headers().forEach(response::setHeader);
    if (!verdict.allowed()) {
      response.setHeader("x-keyport-deny", verdict.error());
      byte[] body = verdict.body().getBytes(StandardCharsets.US_ASCII);
      response.setContentType("application/json");
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
    } else {
      response.setContentLength(0);
    }
  }

  private CheckRequest read(HttpServletRequest request) {
    String method =
        first(request.getHeader("X-Forwarded-Method"), request.getHeader("X-Original-Method"));
    String path = first(request.getHeader("X-Forwarded-Uri"), request.getHeader("X-Original-URI"));
    if (path == null) {
      // Envoy's path_prefix style: the original path follows /auth/check, still URL-encoded.
      String uri = request.getRequestURI();
      int start = request.getContextPath().length() + CHECK_PATH.length();
      String query = request.getQueryString();
      path =
          (uri.length() > start ? uri.substring(start) : "/") + (query == null ? "" : "?" + query);
    }
    String host = first(request.getHeader("X-Forwarded-Host"), request.getHeader("Host"));
    String key = request.getHeader(check.keyHeader());
    if (key == null) {
      String authorization = request.getHeader("Authorization");
      if (authorization != null
          && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        key = authorization.substring(BEARER.length()).trim();
      }
    }
    return new CheckRequest(method == null ? request.getMethod() : method, path, host, key);
  }

  private static String first(String preferred, String fallback) {
    return preferred != null ? preferred : fallback;
  }
}
