package io.keyport.platform.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The launcher accepts the cluster settings deploy/kubernetes gives it, and turns them into these
 * options.
 */
class LauncherInKubernetesTest {

  @Test
  void theDeploymentsClusterSettingsBecomePayaraMicrosKubernetesDiscovery() throws Exception {
    Deployment deployment =
        new ObjectMapper(new YAMLFactory())
            .readValue(
                Path.of(System.getProperty("user.dir"), "deploy/kubernetes/base/deployment.yaml")
                    .toFile(),
                Deployment.class);
    Map<String, String> env = new HashMap<>();
    for (EnvVar var :
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      env.put(var.getName(), var.getValue() == null ? "from-a-secret" : var.getValue());
    }
    assertEquals(
        List.of(
            "--clustermode",
            "kubernetes:keyport,keyport-cluster",
            "--clustername",
            "keyport",
            "--startport",
            "6900"),
        Launcher.clusterOptions(env));
  }
}
