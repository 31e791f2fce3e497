package io.registryauth.operator.tolerance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers, per object (uid), the last version that could be read, for one consumer on one thread. An
 * object that turns {@link Unreadable} is replaced by that version, or left out when there is none; an object
 * that is gone is forgotten.
 */
public final class LastReadable<T extends HasMetadata> {
    private final Map<String, T> byUid = new HashMap<>();
    private int unreadable;

    /** {@code current} with unreadable objects replaced by their last readable version or dropped. */
    public List<T> resolve(Collection<T> current) {
        Map<String, T> next = new HashMap<>();
        List<T> out = new ArrayList<>(current.size());
        int skipped = 0;
        for (T object : current) {
            String uid = object.getMetadata().getUid();
            if (!Unreadable.is(object)) {
                next.put(uid, object);
                out.add(object);
                continue;
            }
            skipped++;
            T previous = byUid.get(uid);
            if (previous != null) {
                next.put(uid, previous);
                out.add(previous);
            }
        }
        byUid.clear();
        byUid.putAll(next);
        unreadable = skipped;
        return out;
    }

    /** How many objects the last {@link #resolve} found unreadable. */
    public int unreadable() {
        return unreadable;
    }
}
