package io.keyport.keys;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A range of IP addresses in CIDR notation, IPv4 ({@code 203.0.113.0/24}) or IPv6 ({@code
 * 2001:db8::/32}); an address alone is a range of one. Parsed without DNS: only literals are
 * addresses here, so a name in a forwarded header can never make the check wait on a resolver.
 */
public record AddressRange(byte[] network, int prefixLength) {

  /**
   * The range written as text ({@code 10.0.0.0/8}, {@code 2001:db8::1}).
   *
   * @throws IllegalArgumentException with a message that says what is wrong
   */
  public static AddressRange parse(String text) {
    String trimmed = text == null ? "" : text.strip();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    byte[] bytes = literal(address);
    if (bytes == null) {
      throw new IllegalArgumentException(
          "'"
              + trimmed
              + "' is not an IP address or CIDR range, such as 203.0.113.0/24 or 2001:db8::/32.");
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException(
            "'"
                + trimmed
                + "': the prefix length of an "
                + (bits == 32 ? "IPv4" : "IPv6")
                + " range is 0 to "
                + bits
                + ".");
      }
    }
    return new AddressRange(masked(bytes, prefix), prefix);
  }

  /** The address's bytes (4 or 16) when {@code text} is an IP literal, else null. */
  public static byte[] literal(String text) {
    if (text == null || text.isEmpty() || !InetAddresses.isInetAddress(text)) {
      return null;
    }
    InetAddress address = InetAddresses.forString(text);
    return address.getAddress();
  }

  /** Whether the address (bytes from {@link #literal}) lies in this range. */
  public boolean contains(byte[] address) {
    if (address == null || address.length != network.length) {
      return false;
    }
    return Arrays.equals(masked(address, prefixLength), network);
  }

  /** The range in its usual notation, the network address first: {@code 10.1.0.0/16}. */
  public String text() {
    try {
      return InetAddresses.toAddrString(InetAddress.getByAddress(network)) + "/" + prefixLength;
    } catch (
        UnknownHostException e) { // only for a length other than 4 or 16, which parse rules out
      throw new IllegalStateException(e);
    }
  }

  private static byte[] masked(byte[] address, int prefix) {
    byte[] masked = address.clone();
    for (int i = 0; i < masked.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      masked[i] &= (byte) (0xff << (8 - keep));
    }
    return masked;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AddressRange range
        && range.prefixLength == prefixLength
        && Arrays.equals(range.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  @Override
  public String toString() {
    return text();
  }
}
