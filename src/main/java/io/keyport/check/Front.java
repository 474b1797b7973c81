package io.keyport.check;

/** The door a check request came in by, as its metrics and decision log name it. */
public enum Front {
  /** {@code /auth/check} on the portal's port ({@link CheckServlet}). */
  SERVLET("servlet"),
  /** The check's own HTTP listener on {@code keyport.check.port} ({@link CheckListener}). */
  LISTENER("listener"),
  /** Envoy's ext_authz over gRPC on {@code keyport.check.grpc-port}. */
  GRPC("grpc");

  private final String label;

  Front(String label) {
    this.label = label;
  }

  /** The value of the {@code front} label. */
  public String label() {
    return label;
  }
}
