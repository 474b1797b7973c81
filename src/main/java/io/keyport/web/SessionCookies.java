package io.keyport.web;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.annotation.WebListener;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The session cookie: never readable by scripts, not sent on cross-site subrequests, and marked
 * Secure unless {@code keyport.session.secure-cookie} is false: a deployment is expected behind
 * HTTPS, and only the launcher's embedded trial on plain http://localhost turns it off.
 */
@WebListener
public class SessionCookies implements ServletContextListener {

  @Override
  public void contextInitialized(ServletContextEvent event) {
    SessionCookieConfig cookie = event.getServletContext().getSessionCookieConfig();
    cookie.setHttpOnly(true);
    cookie.setAttribute("SameSite", "Lax");
    cookie.setSecure(
        ConfigProvider.getConfig()
            .getOptionalValue("keyport.session.secure-cookie", Boolean.class)
            .orElse(true));
  }
}
