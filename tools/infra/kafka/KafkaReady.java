import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

/**
 * Readiness probe used by tools/infra/infra: a real client metadata request (DescribeCluster).
 * Usage: KafkaReady <bootstrap> [timeoutMs]. Exit 0 and print one line when the broker answers
 * and lists at least one (unfenced, i.e. registered) broker; exit 1 otherwise.
 */
public final class KafkaReady {
  public static void main(String[] args) {
    String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
    int timeoutMs = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "commerce-infra-ready");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    int rc = 1;
    try (Admin admin = Admin.create(p)) {
      DescribeClusterResult r = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs));
      Collection<Node> nodes = r.nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
      String clusterId = r.clusterId().get(timeoutMs, TimeUnit.MILLISECONDS);
      Node controller = r.controller().get(timeoutMs, TimeUnit.MILLISECONDS);
      if (nodes.isEmpty()) {
        System.err.println("no broker registered yet");
      } else {
        System.out.println("cluster " + clusterId + ", brokers " + nodes.size()
            + ", controller " + (controller == null ? "-" : controller.idString()));
        rc = 0;
      }
      admin.close(Duration.ZERO);
    } catch (Exception e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      String msg = c.getMessage() == null ? "no answer within " + timeoutMs + " ms" : c.getMessage();
      System.err.println(c.getClass().getSimpleName() + ": " + msg);
    }
    System.exit(rc);
  }
}
