package io.keyport.check;

import java.util.Map;

/**
 * The check's answer: an HTTP status, the error word of a denial (null on 200), and the headers for
 * the gateway.
 */
public record Verdict(int status, String error, Map<String, String> headers) {

  /** Carries the error word on every denial, for gateways that only pass 401 and 403 on. */
  public static final String DENY_HEADER = "x-keyport-deny";

  /** The identity headers of an admitted request (SPEC §3), for the gateway to copy upstream. */
  public static final String PLAN_HEADER = "x-solo-plan";

  public static final String USER_HEADER = "x-user-id";
  public static final String KEY_ID_HEADER = "x-api-key-id";
  public static final String PRODUCT_HEADER = "x-api-product";

  public boolean allowed() {
    return status == 200;
  }

  /** The small JSON body of a denial, {@code {"error":"…"}}; empty on 200. */
  public String body() {
    return error == null ? "" : "{\"error\":\"" + error + "\"}";
  }
}
