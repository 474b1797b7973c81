package io.keyport.check;

import io.keyport.keys.AddressRange;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateways whose {@code X-Forwarded-For} the check believes ({@code
 * keyport.check.trusted-proxies}: IP addresses or CIDR ranges, comma-separated; none by default).
 * From anyone else the header could say anything, so the client is the direct peer.
 */
final class TrustedProxies {

  static final TrustedProxies NONE = new TrustedProxies(List.of());

  private final List<AddressRange> ranges;

  private TrustedProxies(List<AddressRange> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  /**
   * The configured list.
   *
   * @throws IllegalStateException naming the entry that is not an address or range
   */
  static TrustedProxies parse(String csv) {
    if (csv == null || csv.isBlank()) {
      return NONE;
    }
    List<AddressRange> ranges = new ArrayList<>();
    for (String entry : csv.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      try {
        ranges.add(AddressRange.parse(entry));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            "keyport.check.trusted-proxies (env KEYPORT_CHECK_TRUSTED_PROXIES): " + e.getMessage());
      }
    }
    return new TrustedProxies(ranges);
  }

  /**
   * The client's address: the peer's, unless the peer is a trusted proxy, in which case the nearest
   * hop of {@code forwardedFor} that is not one (the one a trusted proxy saw connect to it).
   */
  String client(String peer, String forwardedFor) {
    if (ranges.isEmpty() || forwardedFor == null || !trusted(peer)) {
      return peer;
    }
    int end = forwardedFor.length();
    while (end > 0) {
      int comma = forwardedFor.lastIndexOf(',', end - 1);
      String hop = forwardedFor.substring(comma + 1, end).strip();
      if (!hop.isEmpty() && !trusted(hop)) {
        return hop;
      }
      end = comma < 0 ? 0 : comma;
    }
    return peer;
  }

  private boolean trusted(String address) {
    byte[] bytes = AddressRange.literal(address);
    for (AddressRange range : ranges) {
      if (range.contains(bytes)) {
        return true;
      }
    }
    return false;
  }
}
