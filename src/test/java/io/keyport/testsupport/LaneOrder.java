package io.keyport.testsupport;

import java.util.Comparator;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The order of the integration test classes (failsafe's {@code configurationParameters}): first the
 * classes that cut the run's database link ({@link Locks#DATABASE_LINK}, held to write), then every
 * other class by name. The cutters run while the second lane builds and runs the container image,
 * so neither lane waits for the other's hold on the link later in the run.
 */
public final class LaneOrder implements ClassOrderer {

  @Override
  public void orderClasses(ClassOrdererContext context) {
    context
        .getClassDescriptors()
        .sort(
            Comparator.comparing((ClassDescriptor c) -> !cutsTheDatabaseLink(c))
                .thenComparing(c -> c.getTestClass().getName()));
  }

  private static boolean cutsTheDatabaseLink(ClassDescriptor descriptor) {
    return descriptor.findRepeatableAnnotations(ResourceLock.class).stream()
        .anyMatch(
            lock ->
                Locks.DATABASE_LINK.equals(lock.value())
                    && lock.mode() == ResourceAccessMode.READ_WRITE);
  }
}
