package io.keyport.check;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The path a route is matched against, read the way every common upstream reads it, or no path at
 * all when upstreams would read it differently. It is the one normaliser of every check front
 * (portal servlet, check listener, gRPC), applied by {@link AuthCheck}.
 *
 * <p>A key of the product on {@code /api/} must not pass on {@code /api/v2/} of another product by
 * a spelling that Keyport reads as under {@code /api/} and the upstream serves as {@code /api/v2/}:
 * Tomcat, Spring and Jetty drop {@code ;params} ({@code /api/v2;x/secret}), IIS and some Node
 * servers read {@code \} as {@code /}, nginx decodes {@code %2F} into a separator that Tomcat
 * refuses, a second decoding pass turns {@code %252e} into a dot. So the query is dropped, plain
 * {@code .} and {@code ..} segments are resolved (all servers resolve them alike), escapes are
 * decoded once, and everything servers disagree on is refused: see docs/security-check.md for the
 * list.
 */
final class RequestPath {

  /** Bytes that may not appear percent-encoded: each has a meaning some server gives it back. */
  private static final String ENCODED_REFUSED = "/\\;%?#";

  /** Decoded non-ASCII characters whose compatibility form is one of these are look-alikes. */
  private static final String LOOK_ALIKE_TARGETS = "/\\;%?#.";

  private RequestPath() {}

  /**
   * The normalised path (query dropped), or null when the path is unreadable or ambiguous: then the
   * check answers 403 {@code route_not_allowed}.
   */
  static String normalise(String raw) {
    if (raw == null) {
      return "/";
    }
    int end = raw.indexOf('?');
    if (end < 0) {
      end = raw.length();
    }
    if (end == 0) {
      return "/"; // only a query, as an Envoy-style suffix of a bare /auth/check?x sends it
    }
    if (raw.charAt(0) != '/') {
      return null; // absolute-form (http://host/...), authority-form, * or a relative path
    }
    return isPlain(raw, end) ? raw.substring(0, end) : resolve(raw, end);
  }

  /**
   * Whether the path needs no work: printable ASCII without escapes, refused characters, empty
   * segments, or segments that begin or end with a dot. Most requests take this way.
   */
  private static boolean isPlain(String raw, int end) {
    char previous = 0;
    for (int i = 0; i < end; i++) {
      char c = raw.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '%' || c == '\\' || c == ';' || c == '#') {
        return false;
      }
      if ((c == '/' && (previous == '/' || previous == '.')) || (c == '.' && previous == '/')) {
        return false;
      }
      previous = c;
    }
    return previous != '.';
  }

  private static String resolve(String raw, int end) {
    List<String> segments = new ArrayList<>();
    ByteArrayOutputStream segment = new ByteArrayOutputStream();
    boolean escaped = false;
    boolean trailingSlash = false;
    for (int i = 1; i <= end; i++) {
      char c = i < end ? raw.charAt(i) : '/';
      if (c == '/') {
        boolean last = i >= end;
        String name = decodeSegment(segment.toByteArray());
        if (name == null) {
          return null;
        }
        if (name.isEmpty()) {
          if (!last) {
            return null; // "//": nginx merges, Tomcat and Apache keep an empty segment
          }
          trailingSlash = true;
        } else if (name.equals(".") || name.equals("..")) {
          if (escaped) {
            return null; // %2e: some servers resolve it as a dot segment, some as a name
          }
          if (name.equals("..") && !segments.isEmpty()) {
            segments.remove(segments.size() - 1);
          }
          trailingSlash = last;
        } else if (name.endsWith(".") || name.endsWith(" ")) {
          return null; // Windows servers (IIS) drop trailing dots and spaces: v2. is v2
        } else {
          segments.add(name);
          trailingSlash = false;
        }
        segment.reset();
        escaped = false;
      } else if (c == '%') {
        int b = escape(raw, i, end);
        if (b < 0 || b < 0x20 || b == 0x7f || ENCODED_REFUSED.indexOf(b) >= 0) {
          return null;
        }
        segment.write(b);
        escaped = true;
        i += 2;
      } else if (c <= 0x20 || c >= 0x7f || c == '\\' || c == ';' || c == '#') {
        // Controls, spaces and raw non-ASCII are not allowed in a request target (RFC 9112) and
        // reach Keyport as ISO-8859-1 or UTF-8 depending on the front; \ and ; and # are read as
        // a separator, a parameter and a fragment by some servers and as names by others.
        return null;
      } else {
        segment.write(c);
      }
    }
    StringBuilder path = new StringBuilder(end);
    for (String name : segments) {
      path.append('/').append(name);
    }
    if (trailingSlash || path.length() == 0) {
      path.append('/');
    }
    return path.toString();
  }

  /** The byte a {@code %XX} escape at {@code at} stands for, or -1 when it is not one. */
  private static int escape(String raw, int at, int end) {
    if (at + 2 >= end) {
      return -1;
    }
    int high = Character.digit(raw.charAt(at + 1), 16);
    int low = Character.digit(raw.charAt(at + 2), 16);
    return high < 0 || low < 0 ? -1 : high * 16 + low;
  }

  /**
   * One segment's decoded bytes as text, or null when they are not UTF-8 (overlong forms and
   * encoded surrogates included: Java's decoder reports them) or hold a character that some servers
   * fold into a separator or dot ({@code U+FF0F} fullwidth solidus) or drop (format characters such
   * as zero-width spaces).
   */
  private static String decodeSegment(byte[] bytes) {
    boolean ascii = true;
    for (byte b : bytes) {
      ascii &= b >= 0;
    }
    if (ascii) {
      return new String(bytes, StandardCharsets.US_ASCII);
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (c < 0x80) {
        continue;
      }
      int type = Character.getType(c);
      if (type == Character.CONTROL
          || type == Character.FORMAT
          || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR
          || type == Character.SPACE_SEPARATOR
          || type == Character.PRIVATE_USE
          || type == Character.UNASSIGNED) {
        return null;
      }
      String compatible = Normalizer.normalize(Character.toString(c), Normalizer.Form.NFKC);
      for (int j = 0; j < compatible.length(); j++) {
        if (LOOK_ALIKE_TARGETS.indexOf(compatible.charAt(j)) >= 0) {
          return null;
        }
      }
    }
    return text;
  }
}
