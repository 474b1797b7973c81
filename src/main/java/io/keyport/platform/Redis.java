package io.keyport.platform;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The connection to Redis when {@code keyport.redis.url} is set: one Redis or Sentinel (Lettuce's
 * {@code redis://}, {@code rediss://}, {@code redis-sentinel://}), or a Redis Cluster ({@code
 * redis-cluster://host:port,host:port}, see {@link RedisAddress}). Commands fail fast while Redis
 * is unreachable instead of queueing, so callers can fall back at once; the client reconnects by
 * itself. On a cluster the client follows a failover: it reloads the topology when a node stops
 * answering, on a MOVED or ASK redirect, on a slot no node serves, and every few seconds anyway.
 */
@ApplicationScoped
public class Redis {

  private static final Logger LOG = Logger.getLogger(Redis.class.getName());
  private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

  /** The backstop behind the adaptive triggers: one CLUSTER NODES per node, every 5 s. */
  private static final Duration TOPOLOGY_PERIOD = Duration.ofSeconds(5);

  /** At most one adaptive reload per second, however many commands fail meanwhile. */
  private static final Duration ADAPTIVE_PAUSE = Duration.ofSeconds(1);

  @Inject
  @ConfigProperty(name = "keyport.redis.url")
  Optional<String> url;

  @Inject
  @ConfigProperty(name = "keyport.redis.key-prefix", defaultValue = "")
  Optional<String> keyPrefix;

  private final List<Runnable> topologyListeners = new CopyOnWriteArrayList<>();
  private AbstractRedisClient client;
  private volatile StatefulConnection<byte[], byte[]> connection;
  private volatile RedisClusterCommands<byte[], byte[]> commands;

  public boolean isConfigured() {
    return url.filter(u -> !u.isBlank()).isPresent();
  }

  /** Whether {@code keyport.redis.url} names a Redis Cluster ({@code redis-cluster://}). */
  public boolean isCluster() {
    return isConfigured() && RedisAddress.parse(url.get()).cluster();
  }

  /** What every Keyport key in Redis starts with ({@code keyport.redis.key-prefix}). */
  public String keyPrefix() {
    return keyPrefix.orElse("");
  }

  /**
   * Synchronous commands on the shared connection, opened on first use. On a cluster each command
   * goes to the master of its key's slot, and SCAN walks every master.
   *
   * @throws IllegalStateException when Redis is not configured
   * @throws io.lettuce.core.RedisException when Redis cannot be reached
   */
  public RedisClusterCommands<byte[], byte[]> commands() {
    RedisClusterCommands<byte[], byte[]> current = commands;
    if (current != null) {
      return current;
    }
    connection();
    return commands;
  }

  /**
   * The shared connection, opened on first use: a {@link StatefulRedisConnection}, or a {@link
   * StatefulRedisClusterConnection} on a cluster.
   *
   * @throws IllegalStateException when Redis is not configured or its URL is malformed
   * @throws io.lettuce.core.RedisException when Redis cannot be reached
   */
  public StatefulConnection<byte[], byte[]> connection() {
    StatefulConnection<byte[], byte[]> current = connection;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (connection == null) {
        if (!isConfigured()) {
          throw new IllegalStateException("keyport.redis.url is not set");
        }
        RedisAddress address;
        try {
          address = RedisAddress.parse(url.get());
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
        if (address.cluster()) {
          connectCluster(address);
        } else {
          connectOne(address);
        }
      }
      return connection;
    }
  }

  /**
   * Where a SCAN must go to see every key: the one Redis, or on a cluster each master that serves
   * slots now and is not marked failed. Lettuce's own cluster-wide SCAN walks the masters of the
   * topology it last loaded, so it keeps failing on a master that died until the next reload; this
   * asks for the topology first and skips the dead.
   *
   * @throws IllegalStateException when Redis is not configured
   * @throws io.lettuce.core.RedisException when Redis cannot be reached
   */
  public List<RedisClusterCommands<byte[], byte[]>> keyspaces() {
    if (!(connection() instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster)) {
      return List.of(commands());
    }
    ((RedisClusterClient) client).refreshPartitions();
    List<RedisClusterCommands<byte[], byte[]>> masters = new ArrayList<>();
    for (RedisClusterNode node : cluster.getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)
          && !node.getSlots().isEmpty()
          && !node.is(RedisClusterNode.NodeFlag.FAIL)
          && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)) {
        masters.add(cluster.getConnection(node.getNodeId()).sync());
      }
    }
    return masters;
  }

  /**
   * Runs {@code listener} after each change of the cluster's topology the client sees (a failover,
   * a node added or gone, slots moved), on one of the client's threads; never on a single Redis.
   */
  public void onTopologyChange(Runnable listener) {
    topologyListeners.add(listener);
  }

  private void connectOne(RedisAddress address) {
    if (client == null) {
      RedisClient one = RedisClient.create(address.nodes().get(0));
      one.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
              .build());
      one.setDefaultTimeout(COMMAND_TIMEOUT);
      client = one;
    }
    StatefulRedisConnection<byte[], byte[]> opened =
        ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
    commands = opened.sync();
    connection = opened;
  }

  private void connectCluster(RedisAddress address) {
    if (client == null) {
      RedisClusterClient cluster = RedisClusterClient.create(address.nodes());
      cluster.setOptions(
          ClusterClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      .enablePeriodicRefresh(TOPOLOGY_PERIOD)
                      .enableAllAdaptiveRefreshTriggers()
                      .adaptiveRefreshTriggersTimeout(ADAPTIVE_PAUSE)
                      .refreshTriggersReconnectAttempts(3)
                      .build())
              .build());
      cluster.setDefaultTimeout(COMMAND_TIMEOUT);
      cluster
          .getResources()
          .eventBus()
          .get()
          .filter(ClusterTopologyChangedEvent.class::isInstance)
          .subscribe(event -> topologyChanged());
      client = cluster;
    }
    StatefulRedisClusterConnection<byte[], byte[]> opened =
        ((RedisClusterClient) client).connect(ByteArrayCodec.INSTANCE);
    commands = opened.sync();
    connection = opened;
  }

  private void topologyChanged() {
    LOG.info("The Redis Cluster's topology changed (a failover, or nodes or slots moved)");
    for (Runnable listener : topologyListeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        LOG.warning("A Redis topology listener failed: " + e);
      }
    }
  }

  @PreDestroy
  synchronized void close() {
    if (connection != null) {
      connection.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
