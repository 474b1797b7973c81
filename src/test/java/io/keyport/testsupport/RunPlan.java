package io.keyport.testsupport;

import java.util.EnumSet;
import java.util.Set;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * The shared configurations the run's test classes ask for, read from the test plan before the
 * first test runs. {@link KeyportServers} starts them in the background once the first node is up,
 * so a pair of nodes is ready by the time its classes come, instead of starting while they wait.
 * Registered in META-INF/services; a run filtered to a few classes starts only what they use.
 */
public final class RunPlan implements TestExecutionListener {

  private static volatile Set<ServerConfig> wanted = EnumSet.noneOf(ServerConfig.class);

  /** The configurations some class of this run asks for. */
  static Set<ServerConfig> wanted() {
    return wanted;
  }

  @Override
  public void testPlanExecutionStarted(TestPlan plan) {
    Set<ServerConfig> configs = EnumSet.noneOf(ServerConfig.class);
    for (TestIdentifier root : plan.getRoots()) {
      for (TestIdentifier node : plan.getDescendants(root)) {
        node.getSource()
            .filter(ClassSource.class::isInstance)
            .map(source -> ((ClassSource) source).getJavaClass())
            .filter(KeyportServers::isUsedBy)
            .ifPresent(test -> configs.addAll(KeyportServers.configsOf(test)));
      }
    }
    wanted = configs;
  }
}
