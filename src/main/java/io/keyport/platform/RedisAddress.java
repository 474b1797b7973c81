package io.keyport.platform;

import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;

/**
 * Where Redis is, read from {@code keyport.redis.url}: one Redis or Sentinel in Lettuce's own URI
 * forms ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}), or a Redis Cluster as
 * {@code redis-cluster://[[user:]password@]host:port[,host:port...]} ({@code rediss-cluster://} for
 * TLS). The cluster's hosts are seeds only: the client learns every master and replica from the
 * first seed that answers.
 *
 * @param cluster whether the URL names a Redis Cluster
 * @param nodes the one URI of a standalone or Sentinel Redis, or the cluster's seeds
 */
public record RedisAddress(boolean cluster, List<RedisURI> nodes) {

  private static final String CLUSTER = "redis-cluster://";
  private static final String TLS_CLUSTER = "rediss-cluster://";

  public RedisAddress {
    nodes = List.copyOf(nodes);
  }

  /**
   * Reads a {@code keyport.redis.url}.
   *
   * @throws IllegalArgumentException saying what is wrong with the URL and what it should look like
   */
  public static RedisAddress parse(String url) {
    String text = url.strip();
    boolean tls = text.regionMatches(true, 0, TLS_CLUSTER, 0, TLS_CLUSTER.length());
    if (!tls && !text.regionMatches(true, 0, CLUSTER, 0, CLUSTER.length())) {
      try {
        return new RedisAddress(false, List.of(RedisURI.create(text)));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        throw new IllegalArgumentException(
            "keyport.redis.url is not a Redis URL ("
                + e.getMessage()
                + "): use redis://host:port, rediss://, redis-sentinel:// or"
                + " redis-cluster://host:port,host:port",
            e);
      }
    }
    String rest = text.substring(tls ? TLS_CLUSTER.length() : CLUSTER.length());
    int at = rest.lastIndexOf('@');
    String credentials = at < 0 ? "" : rest.substring(0, at + 1);
    String hosts = rest.substring(at + 1);
    if (hosts.contains("/") || hosts.contains("?")) {
      throw new IllegalArgumentException(
          "keyport.redis.url: a Redis Cluster has no database index or options in its URL (it has"
              + " only database 0); use redis-cluster://host:port,host:port");
    }
    List<RedisURI> seeds = new ArrayList<>();
    for (String host : hosts.split(",", -1)) {
      String seed = host.strip();
      int colon = seed.lastIndexOf(':');
      if (seed.isEmpty() || colon <= 0 || !isPort(seed.substring(colon + 1))) {
        throw new IllegalArgumentException(
            "keyport.redis.url: '"
                + seed
                + "' is not host:port; a Redis Cluster is named by its nodes as"
                + " redis-cluster://host:port,host:port");
      }
      seeds.add(RedisURI.create((tls ? "rediss://" : "redis://") + credentials + seed));
    }
    return new RedisAddress(true, seeds);
  }

  private static boolean isPort(String text) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
      return false;
    }
    int port = Integer.parseInt(text);
    return port > 0 && port < 65536;
  }
}
