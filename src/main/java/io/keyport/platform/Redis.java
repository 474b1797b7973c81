package io.keyport.platform;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The connection to Redis when {@code keyport.redis.url} is set (Lettuce: {@code redis://}, {@code
 * rediss://} for TLS, password and database index in the URL, {@code redis-sentinel://} for
 * Sentinel). Commands fail fast while Redis is unreachable instead of queueing, so callers can fall
 * back at once; the client reconnects by itself.
 */
@ApplicationScoped
public class Redis {

  private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

  @Inject
  @ConfigProperty(name = "keyport.redis.url")
  Optional<String> url;

  @Inject
  @ConfigProperty(name = "keyport.redis.key-prefix", defaultValue = "")
  Optional<String> keyPrefix;

  private RedisClient client;
  private volatile StatefulRedisConnection<byte[], byte[]> connection;

  public boolean isConfigured() {
    return url.filter(u -> !u.isBlank()).isPresent();
  }

  /** What every Keyport key in Redis starts with ({@code keyport.redis.key-prefix}). */
  public String keyPrefix() {
    return keyPrefix.orElse("");
  }

  /**
   * The shared connection, opened on first use.
   *
   * @throws IllegalStateException when Redis is not configured
   * @throws io.lettuce.core.RedisException when Redis cannot be reached
   */
  public StatefulRedisConnection<byte[], byte[]> connection() {
    StatefulRedisConnection<byte[], byte[]> current = connection;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (connection == null) {
        if (!isConfigured()) {
          throw new IllegalStateException("keyport.redis.url is not set");
        }
        if (client == null) {
          client = RedisClient.create(RedisURI.create(url.get()));
          client.setOptions(
              ClientOptions.builder()
                  .autoReconnect(true)
                  .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                  .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                  .build());
          client.setDefaultTimeout(COMMAND_TIMEOUT);
        }
        connection = client.connect(ByteArrayCodec.INSTANCE);
      }
      return connection;
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
