package dev.agentd.agentctl;

import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;

/**
 * Where an option of a command built with picocli's programmatic API keeps
 * its value: a field of the command object, read and written through these
 * two functions (what picocli does by reflection for an annotated field).
 */
final class Binding<V> implements IGetter, ISetter {
    private final Supplier<V> get;
    private final Consumer<V> set;

    private Binding(Supplier<V> get, Consumer<V> set) {
        this.get = get;
        this.set = set;
    }

    static <V> Binding<V> of(Supplier<V> get, Consumer<V> set) {
        return new Binding<>(get, set);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get() {
        return (T) get.get();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T set(T value) {
        T old = (T) get.get();
        set.accept((V) value);
        return old;
    }
}
