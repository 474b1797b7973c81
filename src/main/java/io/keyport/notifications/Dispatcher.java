package io.keyport.notifications;

import io.keyport.platform.Database;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends what the notification outbox holds: signed webhook POSTs and e-mails, off every request
 * thread, at most {@code keyport.notifications.parallel} at once, each with short timeouts. Like
 * the Redis mirror's publisher it runs on one node at a time (a PostgreSQL advisory lock held for
 * the round's transaction); a round takes the due deliveries ({@code FOR UPDATE SKIP LOCKED}),
 * sends them and records each outcome in the same transaction, so a node killed mid-round leaves
 * them due for the next node: delivered at least once, never lost. The sweeps (keys expiring and
 * expired, quota thresholds) run in the same rounds.
 */
@ApplicationScoped
public class Dispatcher {

  private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
  private static final long DISPATCHER_LOCK = 0x6b6e6f74696679L; // "knotify"
  private static final long ROUND_MILLIS = 1_000;
  private static final long SWEEP_MILLIS = 10_000;
  private static final int MAX_ERROR = 1000;
  static final String USER_AGENT = "Keyport-Webhooks/1";

  @Resource(lookup = Database.JNDI_NAME)
  private DataSource dataSource;

  @Resource(lookup = "concurrent/keyport-background")
  private ManagedScheduledExecutorService scheduler;

  @Resource private ManagedThreadFactory threads;

  @Inject private MailSettings mail;
  @Inject private Sweeps sweeps;

  @Inject
  @ConfigProperty(name = "keyport.notifications.parallel", defaultValue = "4")
  int parallel;

  /**
   * Whether this node sweeps and sends. A sweep's event happens once for the whole cluster, and
   * which deliveries it gets (the owner's e-mail) follows the sweeping node's mail setup: nodes
   * that cannot reach the SMTP server or the receivers, or are set up differently, say false.
   */
  @Inject
  @ConfigProperty(name = "keyport.notifications.dispatch", defaultValue = "true")
  boolean dispatch;

  @Inject
  @ConfigProperty(name = "keyport.webhooks.timeout-seconds", defaultValue = "5")
  int timeoutSeconds;

  private volatile ScheduledFuture<?> rounds;
  private volatile ExecutorService senders;
  private HttpClient http;
  private long lastSweep;
  private volatile boolean webhooksFailing;
  private volatile boolean mailFailing;
  private volatile boolean databaseFailing;

  /** Starts the rounds; called at start-up. */
  public synchronized void start() {
    if (parallel < 1 || parallel > 64) {
      throw new IllegalStateException(
          "keyport.notifications.parallel (env KEYPORT_NOTIFICATIONS_PARALLEL) is 1 to 64, not "
              + parallel);
    }
    if (timeoutSeconds < 1 || timeoutSeconds > 60) {
      throw new IllegalStateException(
          "keyport.webhooks.timeout-seconds (env KEYPORT_WEBHOOKS_TIMEOUT_SECONDS) is 1 to 60,"
              + " not "
              + timeoutSeconds);
    }
    if (rounds != null) {
      return;
    }
    if (!dispatch) {
      LOG.info(
          "Notifications: this node records events and leaves sweeping and sending to the others"
              + " (keyport.notifications.dispatch=false)");
      return;
    }
    senders = Executors.newFixedThreadPool(parallel, threads);
    http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(Math.min(2, timeoutSeconds)))
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    rounds =
        scheduler.scheduleWithFixedDelay(this::round, 2_000, ROUND_MILLIS, TimeUnit.MILLISECONDS);
    LOG.info(
        "Notifications: webhooks on"
            + (mail.isConfigured() ? ", e-mail through " + mail.describe() : ", e-mail off"));
  }

  /**
   * Not synchronized: a round may be waiting on slow receivers. Interrupted sends leave their rows
   * due, so the next round, here or on another node, sends them again.
   */
  @PreDestroy
  void stop() {
    if (rounds != null) {
      rounds.cancel(false);
    }
    if (senders != null) {
      senders.shutdownNow();
    }
  }

  /** One due delivery, as the round took it. */
  private record Due(
      long id,
      UUID eventId,
      String channel,
      int attempts,
      Instant giveUpAt,
      String type,
      String body,
      String url,
      String secret,
      String recipient) {}

  /** How one attempt ended. */
  private record Outcome(boolean delivered, Integer statusCode, String error) {}

  /** One round: sweeps when due, then up to {@code parallel * 4} due deliveries. */
  synchronized void round() {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        if (!locked(connection)) {
          connection.rollback();
          return;
        }
        long now = System.currentTimeMillis();
        if (now - lastSweep >= SWEEP_MILLIS) {
          sweeps.sweep(connection);
          lastSweep = now;
        }
        List<Due> due = take(connection);
        List<Outcome> outcomes = send(due);
        for (int i = 0; i < due.size(); i++) {
          settle(connection, due.get(i), outcomes.get(i));
        }
        connection.commit();
        if (databaseFailing) {
          databaseFailing = false;
          LOG.info("Notifications reach the database again");
        }
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      if (!databaseFailing) {
        databaseFailing = true;
        LOG.log(
            Level.WARNING,
            "Notifications cannot be dispatched ({0}); they wait in the outbox",
            e.toString());
      }
    }
  }

  private boolean locked(Connection connection) throws SQLException {
    try (PreparedStatement lock =
        connection.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
      lock.setLong(1, DISPATCHER_LOCK);
      try (ResultSet row = lock.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  private List<Due> take(Connection connection) throws SQLException {
    List<Due> due = new ArrayList<>();
    try (PreparedStatement pending =
        connection.prepareStatement(
            "select d.id, d.event_id, d.channel, d.attempts, d.give_up_at, e.type, e.body, w.url,"
                + " w.secret, d.recipient from notification_delivery d"
                + " join notification_event e on e.id = d.event_id"
                + " left join webhook_endpoint w on w.id = d.endpoint_id"
                + " where d.status = 'pending' and d.next_attempt_at <= now()"
                + " and ((d.channel = 'webhook' and w.enabled) or (d.channel = 'email' and ?))"
                + " order by d.next_attempt_at, d.id limit ? for update of d skip locked")) {
      pending.setBoolean(1, mail.isConfigured());
      pending.setInt(2, parallel * 4);
      try (ResultSet row = pending.executeQuery()) {
        while (row.next()) {
          due.add(
              new Due(
                  row.getLong(1),
                  row.getObject(2, UUID.class),
                  row.getString(3),
                  row.getInt(4),
                  row.getTimestamp(5).toInstant(),
                  row.getString(6),
                  row.getString(7),
                  row.getString(8),
                  row.getString(9),
                  row.getString(10)));
        }
      }
    }
    return due;
  }

  private List<Outcome> send(List<Due> due) {
    List<Future<Outcome>> sending = new ArrayList<>();
    for (Due delivery : due) {
      sending.add(
          senders.submit(
              () -> "webhook".equals(delivery.channel()) ? post(delivery) : mail(delivery)));
    }
    List<Outcome> outcomes = new ArrayList<>();
    boolean webhookFailed = false;
    boolean mailFailed = false;
    for (int i = 0; i < sending.size(); i++) {
      Outcome outcome;
      try {
        // Each attempt has timeouts of its own; this bound only keeps a stuck one from the round.
        outcome = sending.get(i).get(4L * timeoutSeconds + 30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        sending.get(i).cancel(true);
        outcome = new Outcome(false, null, "no answer in time");
      } catch (ExecutionException e) {
        outcome = new Outcome(false, null, describe(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        outcome = new Outcome(false, null, "interrupted");
      }
      outcomes.add(outcome);
      boolean webhook = "webhook".equals(due.get(i).channel());
      webhookFailed |= webhook && !outcome.delivered();
      mailFailed |= !webhook && !outcome.delivered();
    }
    noteWebhooks(due, webhookFailed);
    noteMail(due, mailFailed);
    return outcomes;
  }

  private Outcome post(Due delivery) {
    long timestamp = Instant.now().getEpochSecond();
    String id = delivery.eventId().toString();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(delivery.url()))
            .timeout(Duration.ofSeconds(timeoutSeconds))
            .header("content-type", "application/json")
            .header("user-agent", USER_AGENT)
            .header("webhook-id", id)
            .header("webhook-timestamp", Long.toString(timestamp))
            .header(
                "webhook-signature",
                WebhookSignature.sign(delivery.secret(), id, timestamp, delivery.body()))
            .POST(HttpRequest.BodyPublishers.ofString(delivery.body(), StandardCharsets.UTF_8))
            .build();
    CompletableFuture<HttpResponse<Void>> answer =
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    try {
      // The request timeout ends at the status line; this one also covers a trickling body.
      int status = answer.get(timeoutSeconds + 1L, TimeUnit.SECONDS).statusCode();
      return status >= 200 && status < 300
          ? new Outcome(true, status, null)
          : new Outcome(false, status, "HTTP " + status);
    } catch (TimeoutException e) {
      answer.cancel(true);
      return new Outcome(false, null, "no answer within " + timeoutSeconds + " s");
    } catch (ExecutionException e) {
      return new Outcome(false, null, describe(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(false, null, "interrupted");
    }
  }

  private Outcome mail(Due delivery) {
    MailTexts.Mail text = MailTexts.of(delivery.type(), Notifications.data(delivery.body()));
    try {
      MimeMessage message = new MimeMessage(mail.mailSession());
      message.setFrom(mail.sender());
      message.setRecipient(Message.RecipientType.TO, new InternetAddress(delivery.recipient()));
      message.setSubject(text.subject(), "UTF-8");
      message.setHeader("Auto-Submitted", "auto-generated");
      message.setHeader("X-Keyport-Event", delivery.type());
      MimeBodyPart plain = new MimeBodyPart();
      plain.setText(text.text(), "UTF-8", "plain");
      MimeBodyPart html = new MimeBodyPart();
      html.setText(text.html(), "UTF-8", "html");
      MimeMultipart alternative = new MimeMultipart("alternative", plain, html);
      message.setContent(alternative);
      message.setSentDate(new java.util.Date());
      Transport.send(message);
      return new Outcome(true, null, null);
    } catch (MessagingException e) {
      return new Outcome(false, null, describe(e));
    }
  }

  private void settle(Connection connection, Due delivery, Outcome outcome) throws SQLException {
    Instant now = Instant.now();
    int attempts = delivery.attempts() + 1;
    Instant next =
        outcome.delivered() ? null : RetrySchedule.next(attempts, now, delivery.giveUpAt());
    String status = outcome.delivered() ? "delivered" : next == null ? "failed" : "pending";
    try (PreparedStatement update =
        connection.prepareStatement(
            "update notification_delivery set status = ?, attempts = ?, last_attempt_at = ?,"
                + " last_status_code = ?, last_error = ?, next_attempt_at = coalesce(?,"
                + " next_attempt_at), delivered_at = ? where id = ?")) {
      update.setString(1, status);
      update.setInt(2, attempts);
      update.setTimestamp(3, Timestamp.from(now));
      update.setObject(4, outcome.statusCode());
      String error = outcome.error();
      update.setString(
          5,
          error == null
              ? null
              : error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error);
      update.setTimestamp(6, next == null ? null : Timestamp.from(next));
      update.setTimestamp(7, outcome.delivered() ? Timestamp.from(now) : null);
      update.setLong(8, delivery.id());
      update.executeUpdate();
    }
  }

  private void noteWebhooks(List<Due> due, boolean failed) {
    if (due.stream().noneMatch(d -> "webhook".equals(d.channel()))) {
      return;
    }
    if (failed && !webhooksFailing) {
      webhooksFailing = true;
      LOG.info("A webhook delivery failed; it is retried with backoff (admin page Deliveries)");
    } else if (!failed && webhooksFailing) {
      webhooksFailing = false;
      LOG.info("Webhook deliveries succeed again");
    }
  }

  private void noteMail(List<Due> due, boolean failed) {
    if (due.stream().noneMatch(d -> "email".equals(d.channel()))) {
      return;
    }
    if (failed && !mailFailing) {
      mailFailing = true;
      LOG.warning(
          "E-mail cannot be sent through "
              + mail.describe()
              + "; the mails wait in the outbox and are retried");
    } else if (!failed && mailFailing) {
      mailFailing = false;
      LOG.info("E-mail is sent again");
    }
  }

  private static String describe(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : ": " + message);
  }
}
