package io.keyport.platform;

import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * What Keyport needs of {@code keyport.db.url}: a PostgreSQL JDBC URL that always leads to the
 * primary, because Keyport writes there, migrates there and {@code LISTEN}s there (a standby
 * refuses all three). One host is taken as it is. Several hosts ({@code
 * jdbc:postgresql://db1:5432,db2:5432/keyport}, the driver trying them in turn) need {@code
 * targetServerType=primary}: the driver's default, {@code any}, would settle on whichever host
 * answers first, a standby included, and {@code preferPrimary} would fall back to one.
 */
public record DatabaseUrl(List<String> hosts, String targetServerType) {

  private static final List<String> PRIMARY = List.of("primary", "master");

  /**
   * The URL's hosts and target server type; a URL Keyport cannot work with is refused with what to
   * change.
   *
   * @throws IllegalArgumentException naming the key and the fix; the message never contains the
   *     URL's parameters (a password may be among them)
   */
  public static DatabaseUrl check(String key, String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          key + " is not set: give the JDBC URL of the PostgreSQL primary");
    }
    Properties parsed = Driver.parseURL(url.trim(), new Properties());
    if (parsed == null) {
      throw new IllegalArgumentException(
          key
              + " is not a PostgreSQL JDBC URL ("
              + withoutParameters(url)
              + "): write jdbc:postgresql://host:port/database, or host1:port1,host2:port2 for"
              + " several");
    }
    List<String> hosts = hostsOf(parsed);
    String target = parsed.getProperty("targetServerType", "any").trim();
    boolean primary = PRIMARY.contains(target.toLowerCase(Locale.ROOT));
    if (hosts.size() > 1 && !primary) {
      throw new IllegalArgumentException(
          key
              + " lists "
              + hosts.size()
              + " hosts ("
              + String.join(",", hosts)
              + ") with targetServerType="
              + target
              + ": add targetServerType=primary, so that Keyport writes, migrates and listens on"
              + " the primary only (jdbc:postgresql://"
              + String.join(",", hosts)
              + "/<database>?targetServerType=primary)");
    }
    if (hosts.size() == 1 && !primary && !"any".equalsIgnoreCase(target)) {
      throw new IllegalArgumentException(
          key
              + " asks for targetServerType="
              + target
              + ": Keyport writes and listens on this database, so it must lead to the primary"
              + " (targetServerType=primary, or leave it out)");
    }
    return new DatabaseUrl(hosts, target);
  }

  /** Whether the driver chooses among several hosts. */
  public boolean multiHost() {
    return hosts.size() > 1;
  }

  private static List<String> hostsOf(Properties parsed) {
    String[] names = parsed.getProperty("PGHOST", "localhost").split(",", -1);
    String[] ports = parsed.getProperty("PGPORT", "5432").split(",", -1);
    String[] hosts = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      hosts[i] = names[i] + ":" + (i < ports.length ? ports[i] : "5432");
    }
    return List.of(hosts);
  }

  private static String withoutParameters(String url) {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query) + "?…";
  }
}
