package io.keyport.web;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code /ping}: 204 while the server takes requests, touching nothing else. For load balancers'
 * liveness probes, and the benchmark's baseline of the cheapest servlet on the portal port.
 */
@WebServlet(name = "Ping", urlPatterns = "/ping")
public class Ping extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) {
    response.setStatus(HttpServletResponse.SC_NO_CONTENT);
  }
}
