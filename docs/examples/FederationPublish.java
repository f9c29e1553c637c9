// Publish one event through your federation's ingress topic with Kafka's Java client, over TLS
// with the SCRAM-SHA-512 credential the KSPI operator gave your system (docs/federations.md).
//
//   export KAFKA_PASSWORD='…'       # from the operator; never on a command line
//   java -cp kafka-clients-4.2.0.jar:slf4j-api.jar FederationPublish.java \
//       kafka.organising.example:9094 kspi-ca.pem fspmi-membership FSPMI
//
// (Java 11+ runs a single source file directly.) It sends a MemberRecruited keyed by its
// workplace_id to organising.ingress.<FEDERATION>.v1 and waits for the acknowledgement.

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

public final class FederationPublish {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], caFile = args[1], username = args[2], federation = args[3];
        String topic = System.getenv().getOrDefault("ORGANISING_TOPIC_PREFIX", "") + "organising.ingress." + federation + ".v1";
        String password = System.getenv("KAFKA_PASSWORD");
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("set KAFKA_PASSWORD to your credential's password");
        }
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put("security.protocol", "SASL_SSL");
        config.put("sasl.mechanism", "SCRAM-SHA-512");
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + username + "\" password=\"" + password + "\";");
        // Trust the platform's CA, given as a PEM file (no keytool step needed).
        config.put("ssl.truststore.type", "PEM");
        config.put("ssl.truststore.certificates", Files.readString(Path.of(caFile)));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());

        // Keep this id with the fact in your system and resend the same one after a failure.
        String eventId = System.getenv().getOrDefault("EVENT_ID", UUID.randomUUID().toString());
        ZoneOffset wib = ZoneOffset.ofHours(7);
        String workplaceId = "wp-java-example-1";
        String event = "{\"event_id\":\"" + eventId + "\",\"event_type\":\"MemberRecruited\",\"schema_version\":1,"
            + "\"occurred_at\":\"" + OffsetDateTime.now(wib).truncatedTo(ChronoUnit.SECONDS) + "\","
            + "\"federation\":\"" + federation + "\",\"producer\":\"" + username + "\","
            + "\"data\":{\"member_ref\":\"m_java_example\",\"sector\":\"automotive\",\"workplace_id\":\"" + workplaceId + "\","
            + "\"region_code\":\"32.16\",\"employment_status\":\"fixed_term\",\"gender\":\"male\","
            + "\"recruited_on\":\"" + LocalDate.now(wib) + "\"}}";
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, workplaceId, event)).get();
            System.err.println("published " + eventId + " to " + topic + "[" + sent.partition() + "] at offset " + sent.offset());
        }
    }
}
