import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Test helper (tests/e2e/test_kafka_security.py): with Kafka's own Admin API, give a user a
 * SCRAM-SHA-512 password and ACLs, on a broker reached as a super user.
 *
 * <pre>
 * java -cp 'libs/*' KafkaSecuritySetup.java BOOTSTRAP USER PASSWORD TYPE:PATTERN:NAME:OP[,OP...] ...
 * </pre>
 * TYPE is topic, group, transactionalId or cluster; PATTERN literal or prefix; OP as in Kafka
 * (Read, Write, Describe, ...).
 */
public final class KafkaSecuritySetup {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: KafkaSecuritySetup BOOTSTRAP USER PASSWORD [ACL ...]");
            System.exit(2);
        }
        String user = args[1];
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        try (Admin admin = Admin.create(config)) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                    user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), args[2])))
                .all().get();
            List<AclBinding> acls = new ArrayList<>();
            for (int i = 3; i < args.length; i++) {
                String[] parts = args[i].split(":", 4);
                ResourceType type = resourceType(parts[0]);
                PatternType pattern = "prefix".equals(parts[1]) ? PatternType.PREFIXED : PatternType.LITERAL;
                for (String operation : parts[3].split(",")) {
                    acls.add(new AclBinding(
                        new ResourcePattern(type, parts[2], pattern),
                        new AccessControlEntry("User:" + user, "*", operation(operation), AclPermissionType.ALLOW)));
                }
            }
            admin.createAcls(acls).all().get();
            System.out.println("user " + user + ": SCRAM-SHA-512 password and " + acls.size() + " ACLs");
        }
    }

    private static ResourceType resourceType(String name) {
        switch (name) {
            case "topic": return ResourceType.TOPIC;
            case "group": return ResourceType.GROUP;
            case "transactionalId": return ResourceType.TRANSACTIONAL_ID;
            case "cluster": return ResourceType.CLUSTER;
            default: throw new IllegalArgumentException("unknown resource type " + name);
        }
    }

    private static AclOperation operation(String name) {
        // Kafka's names are CamelCase (IdempotentWrite); the enum is UPPER_SNAKE.
        return AclOperation.valueOf(name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase());
    }
}
