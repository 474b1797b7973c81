package io.keyport.check;

import io.keyport.catalog.LiveCatalog;
import io.keyport.catalog.PlanView;
import io.keyport.keys.KeyFormat;
import io.keyport.keys.KeyHasher;
import io.keyport.keys.KeyLookup;
import io.keyport.keys.LastUsed;
import io.keyport.keys.LiveKey;
import io.keyport.keys.MetadataHeaders;
import io.keyport.limits.Admission;
import io.keyport.limits.PlanLimits;
import io.keyport.limits.UsageMeter;
import io.keyport.platform.Metrics;
import io.keyport.platform.Unproxied;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The gateway auth check's decision (SPEC §3), the same for every HTTP front. Cheap checks first:
 * presence, shape and checksum, then the cache, and PostgreSQL only for a key not seen recently. It
 * never fails open: what it cannot look up is refused with 503.
 */
@ApplicationScoped
public class AuthCheck {

  static final String MISSING = "missing_api_key";
  static final String INVALID = "invalid_api_key";
  static final String ROUTE_NOT_ALLOWED = "route_not_allowed";
  static final String UNAVAILABLE = "unavailable";
  static final String IP_NOT_ALLOWED = "ip_not_allowed";

  private static final Logger LOG = Logger.getLogger(AuthCheck.class.getName());
  private static final long FAILURE_LOG_INTERVAL_NANOS = 60_000_000_000L;

  private final AtomicLong lastFailureLog = new AtomicLong();
  private final AtomicLong failuresSinceLog = new AtomicLong();

  @Inject private KeyHasher hasher;
  @Inject private KeyCache keys;
  @Inject private LiveCatalog catalog;
  @Inject private LastUsed lastUsed;
  @Inject private PlanLimits limits;
  @Inject private UsageMeter meter;
  @Inject CheckMetrics metrics;
  @Inject DecisionLog decisions;

  @Inject
  @ConfigProperty(name = "keyport.check.header", defaultValue = "api-key")
  String keyHeader;

  @Inject
  @ConfigProperty(name = "keyport.check.headers-from-metadata")
  Optional<String> headersFromMetadata;

  /** For upstreams that ignore case in paths (IIS, case-insensitive file systems). */
  @Inject
  @ConfigProperty(name = "keyport.check.case-insensitive-routes", defaultValue = "false")
  boolean caseInsensitiveRoutes;

  @Inject
  @ConfigProperty(name = "keyport.check.trusted-proxies")
  Optional<String> trustedProxiesConfig;

  private TrustedProxies trustedProxies = TrustedProxies.NONE;
  private List<MetadataHeaders.Mapping> metadataHeaders;
  private Set<String> upstreamHeaders;
  private Verdict missing;
  private Verdict invalid;
  private Verdict routeNotAllowed;
  private Verdict unavailable;
  private Verdict ipNotAllowed;

  /** Configures the check outside the container, for tests of {@link #admit}. */
  static AuthCheck configured(String keyHeader, String headersFromMetadata) {
    return configured(keyHeader, headersFromMetadata, false);
  }

  /** As {@link #configured(String, String)}, with {@code keyport.check.case-insensitive-routes}. */
  static AuthCheck configured(
      String keyHeader, String headersFromMetadata, boolean caseInsensitiveRoutes) {
    AuthCheck check = new AuthCheck();
    check.keyHeader = keyHeader;
    check.headersFromMetadata = Optional.ofNullable(headersFromMetadata);
    check.caseInsensitiveRoutes = caseInsensitiveRoutes;
    check.metrics = CheckMetrics.of(Metrics.standalone());
    check.decisions = DecisionLog.off();
    check.init();
    return check;
  }

  @PostConstruct
  void start() {
    init();
    // The Netty fronts call this bean on every request; through the client proxies of the beans it
    // calls, each call would look the bean up in the container again.
    hasher = hasher.unproxied().bean();
    keys = keys.unproxied().bean();
    catalog = catalog.unproxied().bean();
    lastUsed = lastUsed.unproxied().bean();
    limits = limits.unproxied().bean();
    meter = meter.unproxied().bean();
    metrics = metrics.unproxied().bean();
    decisions = decisions.unproxied().bean();
  }

  void init() {
    metadataHeaders = MetadataHeaders.parse(headersFromMetadata.orElse(null));
    trustedProxies =
        TrustedProxies.parse(
            trustedProxiesConfig == null ? null : trustedProxiesConfig.orElse(null));
    Set<String> upstream = new LinkedHashSet<>();
    upstream.addAll(
        List.of(
            Verdict.PLAN_HEADER,
            Verdict.USER_HEADER,
            Verdict.KEY_ID_HEADER,
            Verdict.PRODUCT_HEADER));
    for (MetadataHeaders.Mapping mapping : metadataHeaders) {
      upstream.add(mapping.header().toLowerCase(Locale.ROOT));
    }
    upstreamHeaders = Set.copyOf(upstream);
    Map<String, String> challenge =
        Map.of("WWW-Authenticate", "APIKey header=\"" + keyHeader + "\"");
    missing = new Verdict(401, MISSING, challenge);
    invalid = new Verdict(401, INVALID, challenge);
    routeNotAllowed = new Verdict(403, ROUTE_NOT_ALLOWED, Map.of());
    unavailable = new Verdict(503, UNAVAILABLE, Map.of());
    ipNotAllowed = new Verdict(403, IP_NOT_ALLOWED, Map.of());
  }

  /**
   * Every header an admitted request may carry upstream: the identity headers and those from key
   * metadata ({@code keyport.check.headers-from-metadata}), lower-case. A front that can remove
   * request headers removes the ones a verdict does not set, so a client cannot forge them.
   */
  public Set<String> upstreamHeaders() {
    return upstreamHeaders;
  }

  /**
   * The gateways whose X-Forwarded-For names the client ({@code keyport.check.trusted-proxies}).
   */
  TrustedProxies trustedProxies() {
    return trustedProxies;
  }

  /**
   * This bean itself rather than its CDI client proxy, for the Netty fronts: every call through a
   * proxy looks the bean up again (ACLSingletonProvider.getClassLoader), 3% of the listener's CPU
   * samples under wrk. It holds the beans it calls per request past their proxies too (see {@link
   * #start}).
   */
  Unproxied<AuthCheck> unproxied() {
    return new Unproxied<>(this);
  }

  /** The header the gateway sends the key in, as configured. */
  public String keyHeader() {
    return keyHeader;
  }

  /**
   * Decides, looking the key up in PostgreSQL if it is not cached, and counts the decision under
   * the front it came in by.
   */
  public Verdict decide(CheckRequest request, Front front) {
    long start = System.nanoTime();
    try {
      return decide(request, true, front, start);
    } catch (RuntimeException e) {
      return recorded(front, failed(e), null, start);
    }
  }

  /**
   * Decides without blocking, or returns empty when the answer needs PostgreSQL; for fronts that
   * must not block their I/O threads. An empty answer is not counted: the {@link #decide} that
   * follows it is.
   */
  public Optional<Verdict> decideFromMemory(CheckRequest request, Front front) {
    long start = System.nanoTime();
    try {
      return Optional.ofNullable(decide(request, false, front, start));
    } catch (RuntimeException e) {
      return Optional.of(recorded(front, failed(e), null, start));
    }
  }

  /** The answer when there is no capacity left to decide: unavailable, never admitted. */
  public Verdict overloaded(Front front) {
    return recorded(front, unavailable, null, System.nanoTime());
  }

  /** Counts the decision (and logs it, when sampled); returns it. */
  private Verdict recorded(Front front, Verdict verdict, LiveKey key, long startNanos) {
    metrics.record(front, verdict, key, startNanos);
    decisions.sample(front, verdict, key, startNanos);
    return verdict;
  }

  /**
   * A fault of Keyport's own is answered as unavailable (fail closed), and logged at most once a
   * minute with how many requests it hit, so a persistent fault does not flood the log.
   */
  private Verdict failed(RuntimeException e) {
    long now = System.nanoTime();
    long failures = failuresSinceLog.incrementAndGet();
    long last = lastFailureLog.get();
    if ((last == 0 || now - last >= FAILURE_LOG_INTERVAL_NANOS)
        && lastFailureLog.compareAndSet(last, now == 0 ? 1 : now)) {
      failuresSinceLog.addAndGet(-failures);
      LOG.log(
          Level.SEVERE,
          "The auth check failed on "
              + failures
              + " request(s) since the last report; answering 503 unavailable",
          e);
    }
    return unavailable;
  }

  private Verdict decide(CheckRequest request, boolean mayBlock, Front front, long start) {
    String key = request.apiKey();
    if (key == null || key.isEmpty()) {
      return recorded(front, missing, null, start);
    }
    if (!KeyFormat.isWellFormed(key)) {
      return recorded(front, invalid, null, start);
    }
    String hash = hasher.hash(key);
    Optional<LiveKey> found;
    LiveCatalog.Snapshot products;
    try {
      found = mayBlock ? keys.find(hash) : keys.cached(hash);
      products = mayBlock ? catalog.current() : catalog.currentIfFresh();
      if (found == null || products == null) {
        return null;
      }
    } catch (KeyLookup.DatabaseUnavailable | LiveCatalog.Unavailable e) {
      return recorded(front, unavailable, null, start);
    }
    Verdict verdict = admit(found, products, request, Instant.now());
    if (found.isEmpty()) {
      return recorded(front, verdict, null, start);
    }
    LiveKey live = found.get();
    if (!verdict.allowed()) {
      meter.record(live.id(), verdict.error());
      return recorded(front, verdict, live, start);
    }
    PlanView plan = products.plan(live.plan());
    if (!mayBlock && limits.mayBlock(live, plan)) {
      return null;
    }
    Admission admission;
    try {
      admission = mayBlock ? limits.admit(live, plan) : limits.admitFromMemory(live, plan);
    } catch (PlanLimits.Unavailable e) {
      return recorded(front, unavailable, live, start);
    }
    if (admission == null) {
      return null; // this node's slice of the shared bucket ran out meanwhile: ask Redis
    }
    if (!admission.admitted()) {
      meter.record(live.id(), admission.refusal());
      return recorded(
          front, new Verdict(429, admission.refusal(), admission.headers()), live, start);
    }
    meter.record(live.id(), UsageMeter.ADMITTED);
    lastUsed.touch(live.id());
    // An admitted verdict's headers are this request's own map (see admit): add to it in place.
    admission.addHeadersTo(verdict.headers());
    return recorded(front, verdict, live, start);
  }

  /** The decision once the key and the catalogue are known; no I/O. */
  Verdict admit(
      Optional<LiveKey> found, LiveCatalog.Snapshot products, CheckRequest request, Instant now) {
    if (found.isEmpty() || found.get().expiredAt(now)) {
      return invalid;
    }
    LiveKey live = found.get();
    if (live.product() != null && !products.isLive(live.product())) {
      return invalid;
    }
    String path = RequestPath.normalise(request.path());
    String routed =
        path == null
            ? null
            : products
                .productFor(request.method(), request.host(), path, caseInsensitiveRoutes)
                .orElse(null);
    if (routed == null
        || !reaches(live, routed, products)
        || !live.scopes().admits(request.method(), path, caseInsensitiveRoutes)) {
      return routeNotAllowed;
    }
    if (!live.admitsAddress(request.clientAddress())) {
      return ipNotAllowed;
    }
    // Sized for the identity, metadata and RateLimit headers without growing.
    Map<String, String> headers = new HashMap<>(16);
    for (MetadataHeaders.Mapping mapping : metadataHeaders) {
      String value = live.metadata().get(mapping.entry());
      if (value != null && isHeaderSafe(value)) {
        headers.put(mapping.header(), value);
      } else if (mapping.required()) {
        return invalid;
      }
    }
    headers.put(Verdict.PLAN_HEADER, live.plan());
    headers.put(Verdict.USER_HEADER, live.username());
    headers.put(Verdict.KEY_ID_HEADER, live.id().toString());
    headers.put(Verdict.PRODUCT_HEADER, routed);
    return new Verdict(200, null, headers);
  }

  /**
   * A key reaches its own product; a plan-wide key (SPEC §10) every live product that offers its
   * plan, as the catalogue says now: withdrawing the plan or retiring the product ends the reach.
   */
  private static boolean reaches(LiveKey key, String product, LiveCatalog.Snapshot products) {
    if (key.product() != null) {
      return key.product().equals(product);
    }
    Set<String> offered = products.plansByProduct().get(product);
    return offered != null && offered.contains(key.plan());
  }

  // Key rules refuse control characters in metadata; this guards against rows edited by hand.
  private static boolean isHeaderSafe(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return false;
      }
    }
    return true;
  }
}
