package io.keyport.check;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The check on the portal's port: a plain servlet for every HTTP method (never JAX-RS: this is the
 * hot path). It reads the request as SPEC §3 says and writes the {@link AuthCheck} verdict; it
 * never reads the body. {@code keyport.check.portal-port-enabled=false} turns it off, for operators
 * who serve the check only on its own listener.
 */
@WebServlet(
    name = "AuthCheck",
    urlPatterns = {"/auth/check", "/auth/check/*"})
public class CheckServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  static final String CHECK_PATH = "/auth/check";

  @Inject private transient AuthCheck check;

  @Inject
  @ConfigProperty(name = "keyport.check.portal-port-enabled", defaultValue = "true")
  transient boolean enabled;

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!enabled) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    // Envoy's path_prefix style: the original path follows /auth/check, still URL-encoded.
    String uri = request.getRequestURI();
    int start = request.getContextPath().length() + CHECK_PATH.length();
    String query = request.getQueryString();
    String suffix =
        (uri.length() > start ? uri.substring(start) : "") + (query == null ? "" : "?" + query);
    Verdict verdict =
        check.decide(
            CheckRequest.read(
                request::getHeader,
                request.getMethod(),
                suffix,
                check.keyHeader(),
                request.getRemoteAddr(),
                check.trustedProxies()),
            Front.SERVLET);
    response.setStatus(verdict.status());
    verdict.headers().forEach(response::setHeader);
    if (verdict.allowed()) {
      response.setContentLength(0);
      return;
    }
    response.setHeader(Verdict.DENY_HEADER, verdict.error());
    byte[] body = verdict.body().getBytes(StandardCharsets.US_ASCII);
    response.setContentType("application/json");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
