package io.streamnet.deploy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Kubernetes resources into their Java classes refusing every field the class does not
 * declare. The operator's spec classes say {@code @JsonIgnoreProperties(ignoreUnknown = true)} and
 * fabric8's models collect unknown fields in {@code additionalProperties} (both so that a newer
 * server's fields do not break an older client): here neither applies, so a misspelled or
 * misplaced field fails the read instead of being dropped silently.
 */
final class StrictYaml {
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public JsonIgnoreProperties.Value findPropertyIgnoralByName(MapperConfig<?> config, Annotated a) {
                    JsonIgnoreProperties.Value v = super.findPropertyIgnoralByName(config, a);
                    return v == null ? null : v.withoutIgnoreUnknown();
                }

                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return false;
                }
            });

    private StrictYaml() {
    }

    /** Every document of a multi-document YAML file, as trees. */
    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser p = ((YAMLFactory) MAPPER.getFactory()).createParser(Files.newBufferedReader(file))) {
            var it = MAPPER.readValues(p, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    static <T> T read(JsonNode doc, Class<T> type) throws IOException {
        return MAPPER.treeToValue(doc, type);
    }

    static <T> T read(String yaml, Class<T> type) throws IOException {
        return MAPPER.readValue(yaml, type);
    }
}
