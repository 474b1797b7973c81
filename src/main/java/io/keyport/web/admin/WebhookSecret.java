package io.keyport.web.admin;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;

/**
 * A new webhook endpoint's signing secret, held for the one response that shows it: request-scoped,
 * so it never sits in the view state or the session, and is gone once the page has been rendered.
 */
@Named
@RequestScoped
public class WebhookSecret {

  private String value;

  public String getValue() {
    return value;
  }

  void show(String value) {
    this.value = value;
  }

  @Override
  public String toString() {
    return "WebhookSecret[(not shown)]";
  }
}
