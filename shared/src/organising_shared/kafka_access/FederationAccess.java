// Federation credentials on the broker, through Kafka's own Java AdminClient (the public admin
// API: KIP-554 for SCRAM credentials, KIP-140 for ACLs). aiokafka's admin client has neither.
// Run by organising_shared.kafka_access.java_admin with the broker's jars; not meant for people:
// `organising-kafka-credentials` is the command.
//
//   FederationAccess BOOTSTRAP create NAME TOPIC_PREFIX   (password on stdin)
//   FederationAccess BOOTSTRAP rotate NAME                (password on stdin)
//   FederationAccess BOOTSTRAP revoke NAME
//   FederationAccess BOOTSTRAP list
//
// Output: tab-separated lines (`user NAME`, `acl NAME PATTERN RESOURCE OPERATION`); errors on
// stderr, exit 2 for a refusal a person can fix, 1 for anything else.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

public final class FederationAccess {
    // Kafka's minimum for SCRAM-SHA-512 is 4096; twice that costs a client a few ms per connection.
    private static final int ITERATIONS = 8192;
    private static final long TIMEOUT_SECONDS = 30;

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            refuse("usage: FederationAccess BOOTSTRAP create|rotate|revoke|list ...");
        }
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "organising-kafka-credentials");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(config)) {
            switch (args[1]) {
                case "create" -> create(admin, arg(args, 2), arg(args, 3));
                case "rotate" -> rotate(admin, arg(args, 2));
                case "revoke" -> revoke(admin, arg(args, 2));
                case "list" -> list(admin);
                default -> refuse("unknown command " + args[1]);
            }
        } catch (ExecutionException error) {
            System.err.println(error.getCause() == null ? error.toString() : error.getCause().toString());
            System.exit(1);
        }
    }

    private static void create(Admin admin, String name, String topicPrefix) throws Exception {
        if (users(admin).contains(name) || !acls(admin, name).isEmpty()) {
            refuse("a credential named " + name + " exists: revoke it first, or rotate its password");
        }
        // The ACL first: a credential that exists can always do exactly what it is meant to.
        AclBinding write = new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, topicPrefix, PatternType.PREFIXED),
            new AccessControlEntry("User:" + name, "*", AclOperation.WRITE, AclPermissionType.ALLOW));
        admin.createAcls(List.of(write)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        upsert(admin, name);
        System.out.println("user\t" + name);
    }

    private static void rotate(Admin admin, String name) throws Exception {
        if (!users(admin).contains(name)) {
            refuse("no credential named " + name);
        }
        upsert(admin, name);
        System.out.println("user\t" + name);
    }

    private static void revoke(Admin admin, String name) throws Exception {
        // ACLs first: they are checked on every request, so even a session opened before the
        // revocation can do nothing from here on; then no new session can authenticate.
        admin.deleteAcls(List.of(principalFilter(name))).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (users(admin).contains(name)) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion(name, ScramMechanism.SCRAM_SHA_512)))
                .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        System.out.println("revoked\t" + name);
    }

    private static void list(Admin admin) throws Exception {
        for (String name : users(admin)) {
            System.out.println("user\t" + name);
        }
        for (AclBinding binding : admin.describeAcls(AclBindingFilter.ANY).values().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            System.out.println(describe(binding));
        }
    }

    private static void upsert(Admin admin, String name) throws Exception {
        String password = readPassword();
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                name, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS), password)))
            .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static Set<String> users(Admin admin) throws Exception {
        Map<String, UserScramCredentialsDescription> described =
            admin.describeUserScramCredentials().all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return new TreeSet<>(described.keySet());
    }

    private static List<String> acls(Admin admin, String name) throws Exception {
        List<String> lines = new ArrayList<>();
        for (AclBinding binding : admin.describeAcls(principalFilter(name)).values().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            lines.add(describe(binding));
        }
        return lines;
    }

    private static AclBindingFilter principalFilter(String name) {
        return new AclBindingFilter(
            ResourcePatternFilter.ANY,
            new AccessControlEntryFilter("User:" + name, null, AclOperation.ANY, AclPermissionType.ANY));
    }

    private static String describe(AclBinding binding) {
        return String.join("\t", "acl", binding.entry().principal(), binding.entry().permissionType().name(),
            binding.pattern().resourceType().name(), binding.pattern().patternType().name(), binding.pattern().name(),
            binding.entry().operation().name());
    }

    private static String readPassword() throws Exception {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String password = stdin.readLine();
        if (password == null || password.length() < 20) {
            refuse("expected a password of at least 20 characters on stdin");
        }
        return password;
    }

    private static String arg(String[] args, int index) {
        if (args.length <= index) {
            refuse("missing argument " + index + " for " + args[1]);
        }
        return args[index];
    }

    private static void refuse(String message) {
        System.err.println(message);
        System.exit(2);
    }
}
