package io.registryauth.operator.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a document against its CRD's OpenAPI v3 schema as {@code kubectl apply --validate=strict} and the API
 * server would: unknown fields, types, enums, patterns, required fields, bounds. The structural schema is
 * turned into a JSON Schema (draft 4, the closest to OpenAPI 3.0) that refuses fields it does not declare
 * unless it says {@code x-kubernetes-preserve-unknown-fields}, and a maintained validator does the rest. CEL
 * rules ({@code x-kubernetes-validations}) are not evaluated here; the operator reports what they guard.
 */
final class SchemaCheck {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The fields every object may carry beside those its schema declares. */
    private static final Set<String> ENVELOPE = Set.of("apiVersion", "kind", "metadata");

    private final ObjectMapper mapper = new ObjectMapper();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
    /** By "apiVersion/kind". */
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    /** Learns the schema of {@code apiVersion}/{@code kind} from a CRD version's openAPIV3Schema. */
    void learn(String apiVersion, String kind, Object openApiV3Schema) {
        JsonNode strict = strict(mapper.valueToTree(openApiV3Schema), true);
        schemas.put(apiVersion + "/" + kind, registry.getSchema(strict));
    }

    /**
     * What is wrong with {@code document} (the object as a map), one message per problem, each naming the
     * field path ("unknown field \"spec.repositoryes\""); empty when it is valid or its kind has no schema.
     */
    List<String> problems(String apiVersion, String kind, Object document) {
        Schema schema = schemas.get(apiVersion + "/" + kind);
        if (schema == null) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        for (Error error : schema.validate(mapper.valueToTree(document))) {
            problems.add(describe(error));
        }
        return problems;
    }

    private static String describe(Error error) {
        String at = path(error.getInstanceLocation());
        if ("additionalProperties".equals(error.getKeyword()) && error.getProperty() != null) {
            return "unknown field \"" + (at.isEmpty() ? "" : at + ".") + error.getProperty() + "\"";
        }
        if ("required".equals(error.getKeyword()) && error.getProperty() != null) {
            return "missing required field \"" + (at.isEmpty() ? "" : at + ".") + error.getProperty() + "\"";
        }
        // The validator's message starts with the location; say it our way and keep the rest.
        String message = error.getMessage();
        int colon = message.indexOf(": ");
        if (message.startsWith("$") && colon > 0) {
            message = message.substring(colon + 2);
        }
        return "field \"" + (at.isEmpty() ? "(root)" : at) + "\": " + message;
    }

    /** "spec.subjects[0].kind" from the validator's node path. */
    static String path(NodePath location) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Number index) {
                out.append('[').append(index).append(']');
            } else {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(element);
            }
        }
        return out.toString();
    }

    /** A copy of an OpenAPI v3 structural schema as JSON Schema that refuses undeclared fields. */
    private static JsonNode strict(JsonNode schema, boolean root) {
        if (!(schema instanceof ObjectNode source)) {
            return schema;
        }
        ObjectNode out = source.deepCopy();
        if (out.path("x-kubernetes-int-or-string").asBoolean(false)) {
            out.remove("type");
            ArrayNode anyOf = out.putArray("anyOf");
            anyOf.addObject().put("type", "integer");
            anyOf.addObject().put("type", "string");
        }
        if (out.path("nullable").asBoolean(false) && out.get("type") != null && out.get("type").isTextual()) {
            ArrayNode types = NODES.arrayNode().add(out.get("type").asText()).add("null");
            out.set("type", types);
        }
        if (out.get("properties") instanceof ObjectNode properties) {
            ObjectNode strictProperties = NODES.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = properties.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                strictProperties.set(field.getKey(), strict(field.getValue(), false));
            }
            if (root) {
                // metadata is the API server's to check; only its presence as an object matters here.
                ENVELOPE.forEach(name -> strictProperties.putIfAbsent(name, NODES.objectNode()));
            }
            out.set("properties", strictProperties);
            boolean preserves = out.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
            if (!preserves && !out.has("additionalProperties")) {
                out.put("additionalProperties", false);
            }
        }
        if (out.get("additionalProperties") instanceof ObjectNode values) {
            out.set("additionalProperties", strict(values, false));
        }
        if (out.get("items") instanceof ObjectNode items) {
            out.set("items", strict(items, false));
        }
        return out;
    }
}
