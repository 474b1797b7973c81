package io.keyport.check;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The path a route is matched against, normalised the way an upstream server will see it: query and
 * fragment dropped, percent-escapes decoded, {@code .} and {@code ..} segments resolved and
 * repeated slashes folded. Without this, {@code /petstore/../trackapi/x} would match the {@code
 * /petstore/} route while the upstream serves {@code /trackapi/x}.
 *
 * <p>Servlet containers such as Tomcat drop a segment's {@code ;parameters} before they resolve dot
 * segments, so they serve {@code /petstore/..;/trackapi/x} as {@code /trackapi/x}, while servers
 * that keep parameters see a path under {@code /petstore/}. A path with such a segment has no
 * single reading and is refused.
 */
final class RequestPath {

  private RequestPath() {}

  /**
   * The normalised path, or null when the path cannot be read (bad escapes, not UTF-8) or is read
   * differently by different servers ({@code ..;}, {@code .;x}, {@code ;} between slashes).
   */
  static String normalise(String raw) {
    if (raw == null || raw.isEmpty()) {
      return "/";
    }
    int end = raw.length();
    int query = raw.indexOf('?');
    if (query >= 0) {
      end = query;
    }
    int fragment = raw.indexOf('#');
    if (fragment >= 0 && fragment < end) {
      end = fragment;
    }
    String path = raw.substring(0, end);
    if (path.indexOf('%') >= 0) {
      path = decode(path);
      if (path == null) {
        return null;
      }
    }
    if (path.isEmpty() || path.charAt(0) != '/') {
      path = "/" + path;
    }
    if (path.indexOf("//") < 0 && path.indexOf("/.") < 0 && path.indexOf(';') < 0) {
      return path;
    }
    return resolveSegments(path);
  }

  private static String resolveSegments(String path) {
    Deque<String> segments = new ArrayDeque<>();
    boolean trailingSlash = path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
    String[] parts = path.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      if (isAmbiguous(parts[i], i == parts.length - 1)) {
        return null;
      }
    }
    for (String segment : path.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        segments.pollLast();
      } else {
        segments.addLast(segment);
      }
    }
    StringBuilder normalised = new StringBuilder();
    for (String segment : segments) {
      normalised.append('/').append(segment);
    }
    if (trailingSlash || normalised.length() == 0) {
      normalised.append('/');
    }
    return normalised.toString();
  }

  /**
   * Whether a servlet container, which drops {@code ;parameters}, would read this segment as a dot
   * segment or (before the last) an empty one, while other servers read it as a name.
   */
  private static boolean isAmbiguous(String segment, boolean last) {
    int parameters = segment.indexOf(';');
    if (parameters < 0) {
      return false;
    }
    String name = segment.substring(0, parameters);
    return name.equals(".") || name.equals("..") || (name.isEmpty() && !last);
  }

  private static String decode(String path) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        if (i + 2 >= path.length()) {
          return null;
        }
        int high = Character.digit(path.charAt(i + 1), 16);
        int low = Character.digit(path.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
