package io.keyport.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/**
 * The clock services read "now" from where a test must move it (expiry reminders); UTC, as every
 * instant Keyport stores. Code outside the container is handed a fixed or offset clock instead.
 */
@ApplicationScoped
public class Clocks {

  @Produces
  Clock clock() {
    return Clock.systemUTC();
  }
}
