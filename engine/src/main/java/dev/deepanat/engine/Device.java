package dev.deepanat.engine;

/** Where a tensor's storage lives: a kind ("cpu", "cuda") and an index among devices of that kind. */
public record Device(String kind, int index) {
    public static final Device CPU = new Device("cpu", 0);

    @Override
    public String toString() {
        return kind.equals("cpu") ? "cpu" : kind + ":" + index;
    }
}
