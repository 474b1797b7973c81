package io.keyport.check;

import io.keyport.keys.LiveKey;
import io.keyport.platform.Unproxied;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * An optional log of the check's decisions, for audits: a sampled share of them ({@code
 * keyport.check.decision-log.sample}, 0 to 1, off by default), one line each on logger {@code
 * keyport.decisions} with the front, outcome, status, product, plan, key id and user, and how long
 * the decision took. Never the key value, the path or any header: a key id names a key without
 * being one. Off, it costs the check one comparison.
 */
@ApplicationScoped
public class DecisionLog {

  /** The logger's name; route it to a file or a collector of its own in the logging config. */
  public static final String LOGGER = "keyport.decisions";

  private static final Logger LOG = Logger.getLogger(LOGGER);

  @Inject
  @ConfigProperty(name = "keyport.check.decision-log.sample", defaultValue = "0")
  double sample;

  /** A log that records nothing, for tests of the check outside the container. */
  static DecisionLog off() {
    DecisionLog log = new DecisionLog();
    log.sample = 0;
    return log;
  }

  /** A log of this share of decisions, for tests. */
  static DecisionLog sampling(double share) {
    DecisionLog log = new DecisionLog();
    log.sample = share;
    log.init();
    return log;
  }

  @PostConstruct
  void init() {
    if (!(sample >= 0 && sample <= 1)) {
      throw new IllegalStateException(
          "keyport.check.decision-log.sample must be a share between 0 and 1 (0.01 logs one"
              + " decision in a hundred), not "
              + sample);
    }
  }

  void sample(Front front, Verdict verdict, LiveKey key, long startNanos) {
    if (sample <= 0 || (sample < 1 && ThreadLocalRandom.current().nextDouble() >= sample)) {
      return;
    }
    LOG.log(line(front, verdict, key, System.nanoTime() - startNanos));
  }

  /** The record of one decision. */
  static LogRecord line(Front front, Verdict verdict, LiveKey key, long nanos) {
    StringBuilder text =
        new StringBuilder(160)
            .append("decision front=")
            .append(front.label())
            .append(" outcome=")
            .append(CheckMetrics.OUTCOMES[CheckMetrics.outcome(verdict)])
            .append(" status=")
            .append(verdict.status());
    if (key != null) {
      text.append(" product=")
          .append(key.product() == null ? CheckMetrics.NONE : key.product())
          .append(" plan=")
          .append(key.plan())
          .append(" key=")
          .append(key.id())
          .append(" user=")
          .append(key.username());
    }
    text.append(" micros=").append(nanos / 1000);
    LogRecord record = new LogRecord(Level.INFO, text.toString());
    record.setLoggerName(LOGGER);
    return record;
  }

  /** This bean itself, past its client proxy, for the check's hot path (see {@link Unproxied}). */
  Unproxied<DecisionLog> unproxied() {
    return new Unproxied<>(this);
  }
}
