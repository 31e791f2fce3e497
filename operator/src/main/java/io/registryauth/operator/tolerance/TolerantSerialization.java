package io.registryauth.operator.tolerance;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ResolvableDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes client's serialization, made to survive one bad custom resource. Informers (JOSDK's and
 * the realm feed's) read whole lists; with Fabric8's own mapper, one object with a field of the wrong type
 * or a field this version does not know fails the list and stops the informer, and with it the operator.
 * Here, for this project's custom resources only:
 * <ul>
 *   <li>a field this version does not know (a CRD one version ahead) is skipped with a warning naming the
 *       object and the field path; the object is used as it is;</li>
 *   <li>an object that still cannot be read (a wrong type, an unknown enum value) becomes a spec-less copy
 *       marked {@link Unreadable} with the field path, logged once per generation; every other object
 *       of the list is read as usual.</li>
 * </ul>
 */
public final class TolerantSerialization {
    private static final Logger LOG = LoggerFactory.getLogger(TolerantSerialization.class);
    /** Versions already reported, so that a clone or a resync does not log the same object again. */
    private static final Map<String, Boolean> REPORTED = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 10_000;
                }
            });
    private static final LongAdder UNREADABLE = new LongAdder();
    private static final LongAdder UNKNOWN_FIELDS = new LongAdder();
    /** Unknown fields met while reading the object on this thread (null when not reading one of ours). */
    private static final ThreadLocal<Set<String>> UNKNOWN = new ThreadLocal<>();

    private TolerantSerialization() {
    }

    /** A serialization for {@code KubernetesClientBuilder.withKubernetesSerialization}. */
    public static KubernetesSerialization create() {
        return new Tolerant(new ObjectMapper());
    }

    /** Object versions that could not be read, since start (each counted once). */
    public static long unreadableTotal() {
        return UNREADABLE.sum();
    }

    /** Object versions read with fields this version does not know, since start (each counted once). */
    public static long unknownFieldsTotal() {
        return UNKNOWN_FIELDS.sum();
    }

    /** Whether {@code type} is one of the custom resources read tolerantly. */
    static boolean ours(Class<?> type) {
        return CustomResource.class.isAssignableFrom(type) && type.getPackageName().startsWith("io.registryauth.api");
    }

    private static final class Tolerant extends KubernetesSerialization {
        Tolerant(ObjectMapper mapper) {
            super(mapper, true);
        }

        @Override
        protected void configureMapper(ObjectMapper mapper) {
            super.configureMapper(mapper);
            SimpleModule module = new SimpleModule("registry-auth-tolerant-reading");
            module.setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription bean,
                                                              JsonDeserializer<?> deserializer) {
                    return ours(bean.getBeanClass()) ? new ObjectReader(bean.getBeanClass(), deserializer) : deserializer;
                }
            });
            mapper.registerModule(module);
            mapper.addHandler(new UnknownFields());
        }
    }

    /** Skips an unknown field of one of our objects and notes its path; any other type keeps the default. */
    private static final class UnknownFields extends DeserializationProblemHandler {
        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                             Object beanOrClass, String propertyName) throws IOException {
            Set<String> unknown = UNKNOWN.get();
            if (unknown == null) {
                return false;
            }
            JsonStreamContext context = p.getParsingContext();
            JsonToken token = p.currentToken();
            if ((token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) && context.getParent() != null) {
                context = context.getParent();
            }
            unknown.add(path(context));
            p.skipChildren();
            return true;
        }
    }

    /** "spec.subjects[0].kind" for the field being read in {@code context}. */
    private static String path(JsonStreamContext context) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.add(0, "[" + Math.max(c.getCurrentIndex(), 0) + "]");
            } else if (c.getCurrentName() != null) {
                parts.add(0, "." + c.getCurrentName());
            }
        }
        String joined = String.join("", parts);
        return joined.startsWith(".") ? joined.substring(1) : joined;
    }

    /** Reads one object from its tree; what cannot be read becomes a marked, spec-less copy. */
    private static final class ObjectReader extends JsonDeserializer<Object> implements ResolvableDeserializer {
        private final Class<?> type;
        private final JsonDeserializer<?> delegate;

        ObjectReader(Class<?> type, JsonDeserializer<?> delegate) {
            this.type = type;
            this.delegate = delegate;
        }

        @Override
        public void resolve(DeserializationContext ctxt) throws JsonMappingException {
            if (delegate instanceof ResolvableDeserializer resolvable) {
                resolvable.resolve(ctxt);
            }
        }

        @Override
        public Class<?> handledType() {
            return type;
        }

        /**
         * Reads the object from a copy of its tokens (every watch event of every grant comes through here; a token
         * copy costs less than a tree), and builds a tree only for an object that needs reporting or a husk.
         */
        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            TokenBuffer tokens = ctxt.bufferAsCopyOfValue(p);
            if (tokens.firstToken() != JsonToken.START_OBJECT) {
                return read(tokens, p, ctxt);
            }
            Set<String> outer = UNKNOWN.get();
            Set<String> unknown = new LinkedHashSet<>();
            UNKNOWN.set(unknown);
            try {
                Object value = read(tokens, p, ctxt);
                if (!unknown.isEmpty()) {
                    ObjectNode object = tree(tokens, p, ctxt);
                    if (firstReport(object, "unknown:" + unknown)) {
                        UNKNOWN_FIELDS.increment();
                        LOG.warn("{}: unknown field{} {} ignored (is its CRD newer than this operator?)",
                                describe(object), unknown.size() == 1 ? "" : "s", quoted(unknown));
                    }
                }
                return value;
            } catch (JsonMappingException e) {
                ObjectNode object = tree(tokens, p, ctxt);
                String problem = problem(e);
                if (firstReport(object, "unreadable:" + problem)) {
                    UNREADABLE.increment();
                    LOG.warn("{} cannot be read: {}; its status says so until it is fixed", describe(object), problem);
                }
                return husk(object, problem, p, ctxt, e);
            } finally {
                UNKNOWN.set(outer);
            }
        }

        private Object read(TokenBuffer tokens, JsonParser p, DeserializationContext ctxt) throws IOException {
            try (JsonParser sub = tokens.asParser(p.getCodec())) {
                sub.nextToken();
                return delegate.deserialize(sub, ctxt);
            }
        }

        private static ObjectNode tree(TokenBuffer tokens, JsonParser p, DeserializationContext ctxt)
                throws IOException {
            try (JsonParser sub = tokens.asParser(p.getCodec())) {
                sub.nextToken();
                return (ObjectNode) ctxt.readTree(sub);
            }
        }

        private Object read(JsonNode tree, JsonParser p, DeserializationContext ctxt) throws IOException {
            try (JsonParser sub = tree.traverse(p.getCodec())) {
                sub.nextToken();
                return delegate.deserialize(sub, ctxt);
            }
        }

        /** The object without its spec (and without its status, when that cannot be read either), marked. */
        private Object husk(ObjectNode object, String problem, JsonParser p, DeserializationContext ctxt,
                            JsonMappingException cause) throws IOException {
            ObjectNode bare = object.objectNode();
            for (String field : List.of("apiVersion", "kind", "metadata")) {
                if (object.has(field)) {
                    bare.set(field, object.get(field));
                }
            }
            Object husk = null;
            if (object.has("status")) {
                try {
                    husk = read(bare.deepCopy().set("status", object.get("status")), p, ctxt);
                } catch (JsonMappingException e) {
                    // Without its status, then.
                }
            }
            if (husk == null) {
                try {
                    husk = read(bare, p, ctxt);
                } catch (JsonMappingException e) {
                    throw cause;
                }
            }
            if (!(husk instanceof HasMetadata resource) || resource.getMetadata() == null) {
                throw cause;
            }
            if (husk instanceof CustomResource<?, ?> custom) {
                clearSpec(custom);
            }
            Map<String, String> annotations = resource.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(resource.getMetadata().getAnnotations());
            annotations.put(Unreadable.ANNOTATION, problem);
            resource.getMetadata().setAnnotations(annotations);
            return husk;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static void clearSpec(CustomResource custom) {
            custom.setSpec(null);
        }
    }

    private static boolean firstReport(ObjectNode object, String what) {
        JsonNode metadata = object.path("metadata");
        // By generation: status writes move the resourceVersion of an object whose spec did not change.
        JsonNode version = metadata.hasNonNull("generation") ? metadata.get("generation")
                : metadata.path("resourceVersion");
        String key = object.path("kind").asText() + "/" + metadata.path("namespace").asText() + "/"
                + metadata.path("name").asText() + "@" + metadata.path("uid").asText() + ":"
                + version.asText() + " " + what;
        return REPORTED.put(key, Boolean.TRUE) == null;
    }

    /** "RepositoryAccess registry/typo". */
    static String describe(JsonNode object) {
        JsonNode metadata = object.path("metadata");
        String namespace = metadata.path("namespace").asText("");
        return object.path("kind").asText("object") + " " + (namespace.isEmpty() ? "" : namespace + "/")
                + metadata.path("name").asText("?");
    }

    /** "field \"spec.actions\" must be a list": the path and the expected shape, never the value. */
    static String problem(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        String where = path.length() == 0 ? "the object" : "field \"" + path + "\"";
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return where + " must be " + expected(mismatch.getTargetType());
        }
        return where + " cannot be read";
    }

    private static String expected(Class<?> type) {
        if (type.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object constant : type.getEnumConstants()) {
                names.add(wireName(type, (Enum<?>) constant));
            }
            return "one of " + names;
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a mapping";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        return "an object (" + type.getSimpleName() + ")";
    }

    private static String wireName(Class<?> type, Enum<?> constant) {
        try {
            JsonProperty property = type.getField(constant.name()).getAnnotation(JsonProperty.class);
            return property == null ? constant.name() : property.value();
        } catch (NoSuchFieldException e) {
            return constant.name();
        }
    }

    private static String quoted(Set<String> paths) {
        return paths.stream().map(p -> "\"" + p + "\"").reduce((a, b) -> a + ", " + b).orElse("");
    }
}
