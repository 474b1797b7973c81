package io.keyport.web;

import io.keyport.platform.JsonErrors;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * The container's error pages (web.xml): a REST API caller gets the API's JSON error body, a
 * browser gets the matching page.
 */
@WebServlet(name = "ErrorPages", urlPatterns = "/error/status")
public class ErrorPages extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private static final Map<Integer, String> PAGES =
      Map.of(403, "/error/forbidden.xhtml", 404, "/error/not-found.xhtml");
  private static final Map<Integer, String[]> API_ERRORS =
      Map.of(
          403,
          new String[] {"forbidden", "Your account may not do this; it needs the admin role."},
          404,
          new String[] {
            "not_found", "There is no such API path; see the API description at /openapi."
          },
          405,
          new String[] {"method_not_allowed", "This path does not take that HTTP method."});

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer number ? number : 500;
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    String path = uri == null ? "" : uri.toString().substring(request.getContextPath().length());
    if (path.startsWith("/api/")) {
      String[] error =
          API_ERRORS.getOrDefault(
              status,
              new String[] {"server_error", "Keyport could not complete the request. Try again."});
      JsonErrors.write(response, status, error[0], error[1]);
      return;
    }
    request
        .getRequestDispatcher(PAGES.getOrDefault(status, "/error/server-error.xhtml"))
        .forward(request, response);
  }
}
