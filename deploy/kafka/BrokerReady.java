// Readiness probe used by deploy/kafka/kafka.sh start.
//
// Usage: java -cp <classes>:<kafka libs>/* BrokerReady <bootstrap> <timeout-seconds>
//            [broker-pids|-] [brokers] [all|in-sync]
//
// Succeeds (exit 0) once the brokers at <bootstrap> answer a DescribeCluster
// request listing at least <brokers> (default 1) unfenced brokers AND a Metadata
// request (listTopics); with "in-sync", also once no partition of any topic
// (internal ones included) is under-replicated or without a leader, which is what a
// rolling restart waits for before it takes the next broker. Exits 1 on timeout, 2
// as soon as one of the processes <broker-pids> (comma-separated) is gone. Needs only
// kafka-clients, so it works with any Kafka version and without kafka-tools.

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

public final class BrokerReady {
    private static final long ATTEMPT_SECONDS = 3;

    private BrokerReady() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println(
                "usage: BrokerReady <bootstrap> <timeout-seconds> [broker-pids|-] [brokers] [all|in-sync]");
            System.exit(64);
        }
        String bootstrap = args[0];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        List<Long> pids = new ArrayList<>();
        if (args.length > 2 && !args[2].equals("-") && !args[2].isEmpty()) {
            for (String pid : args[2].split(",")) {
                pids.add(Long.parseLong(pid));
            }
        }
        int brokers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        boolean inSync = args.length > 4 && args[4].equals("in-sync");

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
                Long gone = pids.stream().filter(pid -> !alive(pid)).findFirst().orElse(null);
                if (gone != null) {
                    System.err.println("broker process " + gone + " exited");
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
                    String lagging = inSync && nodes.size() >= brokers
                        ? underReplicated(admin, topics, wait) : null;
                    if (nodes.size() >= brokers && lagging == null) {
                        System.out.printf("ready: cluster id %s, %d broker(s), %d topic(s)%s%n",
                            clusterId, nodes.size(), topics.size(), inSync ? ", all in sync" : "");
                        code = 0;
                        break;
                    }
                    last = nodes.size() < brokers
                        ? "metadata lists " + nodes.size() + " of " + brokers + " brokers"
                        : "partition " + lagging + " is under-replicated";
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

    /** The first partition whose in-sync replicas are fewer than its replicas, or null. */
    private static String underReplicated(Admin admin, Set<String> topics, long waitMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (topics.isEmpty()) {
            return null;
        }
        Map<String, TopicDescription> described =
            admin.describeTopics(topics).allTopicNames().get(waitMs, TimeUnit.MILLISECONDS);
        for (TopicDescription topic : described.values()) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                if (partition.leader() == null
                        || partition.isr().size() < partition.replicas().size()) {
                    return topic.name() + "-" + partition.partition();
                }
            }
        }
        return null;
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
