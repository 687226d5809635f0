// Readiness probe used by deploy/kafka/kafka.sh start.
//
// Usage: java -cp <classes>:<kafka libs>/* BrokerReady <bootstrap> <timeout-seconds> [broker-pid]
//
// Succeeds (exit 0) once the broker at <bootstrap> answers a DescribeCluster
// request listing at least one (unfenced) broker AND a Metadata request
// (listTopics). Exits 1 on timeout, 2 as soon as the broker process <broker-pid>
// is gone. Needs only kafka-clients, so it works with any Kafka version and
// without the kafka-tools artifact.

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.Node;

public final class BrokerReady {
    private static final long ATTEMPT_SECONDS = 3;

    private BrokerReady() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: BrokerReady <bootstrap> <timeout-seconds> [broker-pid]");
            System.exit(64);
        }
        String bootstrap = args[0];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        long pid = args.length > 2 ? Long.parseLong(args[2]) : -1L;

        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafka-sh-ready-check");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(ATTEMPT_SECONDS * 1000));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(ATTEMPT_SECONDS * 1000));
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");

        Admin admin = Admin.create(props);
        int code = 1;
        String last = "no answer yet";
        try {
            while (true) {
                if (pid > 0 && !alive(pid)) {
                    System.err.println("broker process " + pid + " exited");
                    code = 2;
                    break;
                }
                long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                long wait = Math.max(500L, Math.min(ATTEMPT_SECONDS * 1000, remaining));
                try {
                    DescribeClusterResult cluster = admin.describeCluster();
                    Collection<Node> nodes = cluster.nodes().get(wait, TimeUnit.MILLISECONDS);
                    String clusterId = cluster.clusterId().get(wait, TimeUnit.MILLISECONDS);
                    Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true))
                        .names().get(wait, TimeUnit.MILLISECONDS);
                    if (!nodes.isEmpty()) {
                        System.out.printf("ready: cluster id %s, %d broker(s), %d topic(s)%n",
                            clusterId, nodes.size(), topics.size());
                        code = 0;
                        break;
                    }
                    last = "metadata lists no unfenced broker yet";
                } catch (ExecutionException e) {
                    last = String.valueOf(e.getCause());
                } catch (TimeoutException e) {
                    last = "request timed out";
                }
                if (System.nanoTime() - deadline > 0) {
                    System.err.println("broker not ready in time; last error: " + last);
                    break;
                }
                Thread.sleep(250);
            }
        } finally {
            admin.close(Duration.ofSeconds(2));
        }
        System.exit(code);
    }

    /** Alive and not a zombie (the broker may be our parent shell's unreaped child). */
    private static boolean alive(long pid) {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }
}
