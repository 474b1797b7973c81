package io.keyport.testsupport;

import java.util.Comparator;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The order of the integration test classes (failsafe's {@code configurationParameters}): first the
 * classes that cut the run's database link ({@link Locks#DATABASE_LINK}, held to write), then the
 * classes that do not hold it, then those that hold it to read; by name within each. The cutters
 * run in the first lane while the second starts with what needs no link (the container image, the
 * failover pairs, the Redis Cluster); the link's readers there (NotificationsIT, RestartIT, the
 * browser classes) come once the cutters are done, so neither lane waits for the other's hold.
 * Before, NotificationsIT and RestartIT held the link to write, sorted first, and the first lane
 * sat idle for their five minutes.
 */
public final class LaneOrder implements ClassOrderer {

  @Override
  public void orderClasses(ClassOrdererContext context) {
    context
        .getClassDescriptors()
        .sort(
            Comparator.comparingInt(LaneOrder::holdOnTheLink)
                .thenComparing(c -> c.getTestClass().getName()));
  }

  /** 0 for a cutter of the database link, 1 for a class that does not hold it, 2 for a reader. */
  private static int holdOnTheLink(ClassDescriptor descriptor) {
    return descriptor.findRepeatableAnnotations(ResourceLock.class).stream()
        .filter(lock -> Locks.DATABASE_LINK.equals(lock.value()))
        .map(lock -> lock.mode() == ResourceAccessMode.READ_WRITE ? 0 : 2)
        .findFirst()
        .orElse(1);
  }
}
