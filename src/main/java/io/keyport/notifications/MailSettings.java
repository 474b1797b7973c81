package io.keyport.notifications;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.mail.Authenticator;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The SMTP server Keyport mails key owners through ({@code keyport.mail.*}); mail is off while
 * {@code keyport.mail.host} is unset. A bad setting stops the start with what to fix.
 */
@ApplicationScoped
public class MailSettings {

  /** How the connection to the mail server is secured. */
  enum Tls {
    /** Plain SMTP, then STARTTLS, required (the usual submission port 587). */
    STARTTLS,
    /** TLS from the first byte (SMTPS, port 465). */
    TLS,
    /** No TLS at all: only for a mail server on the same host or a test. */
    NONE
  }

  private static final String TIMEOUT_MILLIS = "10000";

  @Inject
  @ConfigProperty(name = "keyport.mail.host")
  Optional<String> host;

  @Inject
  @ConfigProperty(name = "keyport.mail.port")
  Optional<Integer> port;

  @Inject
  @ConfigProperty(name = "keyport.mail.tls", defaultValue = "starttls")
  String tlsMode;

  @Inject
  @ConfigProperty(name = "keyport.mail.user")
  Optional<String> user;

  @Inject
  @ConfigProperty(name = "keyport.mail.password")
  Optional<String> password;

  @Inject
  @ConfigProperty(name = "keyport.mail.from", defaultValue = "keyport@localhost")
  String from;

  private Tls tls;
  private InternetAddress sender;
  private Session session;

  @PostConstruct
  void init() {
    try {
      tls = Tls.valueOf(tlsMode.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "keyport.mail.tls (env KEYPORT_MAIL_TLS) is starttls, tls or none, not '"
              + tlsMode
              + "'");
    }
    try {
      sender = new InternetAddress(from, true);
    } catch (AddressException e) {
      throw new IllegalStateException(
          "keyport.mail.from (env KEYPORT_MAIL_FROM) is not an e-mail address: '" + from + "'");
    }
    if (isConfigured()) {
      session = session();
    }
  }

  /** Whether Keyport sends e-mail at all. */
  public boolean isConfigured() {
    return host.filter(h -> !h.isBlank()).isPresent();
  }

  /** Where mail goes, for the admin pages and the log: {@code smtp.example.com:587 (starttls)}. */
  public String describe() {
    return isConfigured()
        ? host.get() + ":" + port() + " (" + tls.name().toLowerCase(Locale.ROOT) + ")"
        : "";
  }

  InternetAddress sender() {
    return sender;
  }

  Session mailSession() {
    return session;
  }

  private int port() {
    return port.orElse(tls == Tls.TLS ? 465 : tls == Tls.STARTTLS ? 587 : 25);
  }

  private Session session() {
    String protocol = tls == Tls.TLS ? "smtps" : "smtp";
    String p = "mail." + protocol + ".";
    Properties properties = new Properties();
    properties.setProperty("mail.transport.protocol", protocol);
    properties.setProperty(p + "host", host.get().strip());
    properties.setProperty(p + "port", Integer.toString(port()));
    properties.setProperty(p + "connectiontimeout", TIMEOUT_MILLIS);
    properties.setProperty(p + "timeout", TIMEOUT_MILLIS);
    properties.setProperty(p + "writetimeout", TIMEOUT_MILLIS);
    properties.setProperty(p + "from", sender.getAddress());
    if (tls == Tls.STARTTLS) {
      properties.setProperty(p + "starttls.enable", "true");
      properties.setProperty(p + "starttls.required", "true");
    }
    if (tls != Tls.NONE) {
      properties.setProperty(p + "ssl.checkserveridentity", "true");
    }
    boolean authenticated = user.filter(u -> !u.isBlank()).isPresent();
    properties.setProperty(p + "auth", Boolean.toString(authenticated));
    if (!authenticated) {
      return Session.getInstance(properties);
    }
    String name = user.get();
    String secret = password.orElse("");
    return Session.getInstance(
        properties,
        new Authenticator() {
          @Override
          protected PasswordAuthentication getPasswordAuthentication() {
            return new PasswordAuthentication(name, secret);
          }
        });
  }
}
