package io.keyport.check;

/**
 * gRPC's {@code grpc-timeout} header: up to 8 digits and a unit (H, M, S, m, u, n), the time the
 * caller will wait for its answer.
 */
final class GrpcTimeout {

  private GrpcTimeout() {}

  /** The timeout in nanoseconds; negative (no deadline) for a value that is not one. */
  static long nanos(CharSequence value) {
    int length = value.length();
    if (length < 2 || length > 9) {
      return -1;
    }
    long amount = 0;
    for (int i = 0; i < length - 1; i++) {
      char digit = value.charAt(i);
      if (digit < '0' || digit > '9') {
        return -1;
      }
      amount = amount * 10 + (digit - '0');
    }
    long unit =
        switch (value.charAt(length - 1)) {
          case 'H' -> 3_600_000_000_000L;
          case 'M' -> 60_000_000_000L;
          case 'S' -> 1_000_000_000L;
          case 'm' -> 1_000_000L;
          case 'u' -> 1_000L;
          case 'n' -> 1L;
          default -> -1L;
        };
    if (unit < 0) {
      return -1;
    }
    // 99,999,999 hours does not fit in a long of nanoseconds: a deadline that far is none.
    return amount > Long.MAX_VALUE / unit ? -1 : amount * unit;
  }
}
