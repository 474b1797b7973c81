package io.keyport.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The request id and signed-in user of the request a thread is serving, for the JSON log lines it
 * writes ({@link JsonLogFormatter}). The id is the caller's {@code X-Request-Id} when it is a short
 * plain token (an ingress usually sets one), else a new one; it is echoed in the response. The
 * check's path is left alone: it logs nothing per request, and must stay cheap.
 */
@WebFilter(filterName = "RequestContext", urlPatterns = "/*", asyncSupported = true)
public class RequestContext extends HttpFilter {

  private static final long serialVersionUID = 1L;

  /** The header that carries the id in and out. */
  public static final String HEADER = "X-Request-Id";

  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final ThreadLocal<String[]> CURRENT = new ThreadLocal<>();

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (request.getRequestURI().startsWith(request.getContextPath() + "/auth/check")) {
      chain.doFilter(request, response);
      return;
    }
    String given = request.getHeader(HEADER);
    String id = given != null && SAFE_ID.matcher(given).matches() ? given : newId();
    response.setHeader(HEADER, id);
    CURRENT.set(new String[] {id, request.getRemoteUser()});
    try {
      chain.doFilter(request, response);
    } finally {
      CURRENT.remove();
    }
  }

  private static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return Long.toHexString(random.nextLong() | Long.MIN_VALUE)
        + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
  }

  /** The id of the request this thread serves, or null outside a request. */
  public static String requestId() {
    String[] current = CURRENT.get();
    return current == null ? null : current[0];
  }

  /** The signed-in user of the request this thread serves, or null. */
  public static String user() {
    String[] current = CURRENT.get();
    return current == null ? null : current[1];
  }
}
