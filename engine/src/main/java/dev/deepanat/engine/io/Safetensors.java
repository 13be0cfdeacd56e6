package dev.deepanat.engine.io;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (what Hugging Face's {@code safetensors} package reads): an 8-byte little-endian header
 * length, a JSON header mapping each tensor name to {dtype, shape, data_offsets} plus an optional string-to-string
 * {@code __metadata__}, then the raw little-endian tensor bytes. We write F32; we read F32, F64, F16 and BF16.
 */
public final class Safetensors {
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /** A loaded checkpoint: tensors in file order and the string metadata. */
    /** What a file held; close it to free its tensors once they are copied where they belong. */
    public record Checkpoint(Map<String, Tensor> tensors, Map<String, String> metadata) implements AutoCloseable {
        @Override
        public void close() {
            tensors.values().forEach(Tensor::close);
        }
    }

    /** Writes atomically: a temporary file in the target's folder, renamed over the target when complete. */
    public static void save(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            new TreeMap<>(metadata).forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        Map<String, float[]> data = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("safetensors: reserved tensor name __metadata__");
            float[] v = e.getValue().toArray();
            data.put(e.getKey(), v);
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            com.google.gson.JsonArray shape = new com.google.gson.JsonArray();
            for (int d : e.getValue().shape()) shape.add(d);
            t.add("shape", shape);
            com.google.gson.JsonArray offs = new com.google.gson.JsonArray();
            offs.add(offset);
            offs.add(offset + 4L * v.length);
            t.add("data_offsets", offs);
            header.add(e.getKey(), t);
            offset += 4L * v.length;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - json.length % 8) % 8; // the reference implementation pads the header with spaces to 8 bytes
        byte[] padded = new byte[json.length + pad];
        System.arraycopy(json, 0, padded, 0, json.length);
        for (int i = json.length; i < padded.length; i++) padded[i] = ' ';

        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        // Not Files.createTempFile: it makes the file mode 600, and the renamed checkpoint would keep that.
        Path tmp = dir.resolve("." + path.getFileName() + "." + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW), 1 << 20)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length);
                out.write(len.array());
                out.write(padded);
                ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (float[] v : data.values()) {
                    for (float f : v) {
                        if (buf.remaining() < 4) { out.write(buf.array(), 0, buf.position()); buf.clear(); }
                        buf.putFloat(f);
                    }
                }
                out.write(buf.array(), 0, buf.position());
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static Checkpoint load(Path path) throws IOException {
        return load(path, Backends.host());
    }

    /** Reads every tensor onto a backend; a malformed file raises an IOException naming the file and the problem. */
    public static Checkpoint load(Path path, Backend backend) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw bad(path, "file of " + size + " bytes is too short");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long n = lenBuf.flip().getLong();
            if (n <= 0 || n > MAX_HEADER || 8 + n > size) throw bad(path, "header length " + n + " is invalid for a file of " + size + " bytes");
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8);
            JsonObject header;
            try {
                header = JsonParser.parseString(new String(hb.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw bad(path, "header is not a JSON object");
            }
            long dataStart = 8 + n, dataLen = size - dataStart;
            Map<String, String> meta = new LinkedHashMap<>();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().getAsJsonObject().entrySet().forEach(m -> meta.put(m.getKey(), m.getValue().getAsString()));
                    continue;
                }
                tensors.put(e.getKey(), readTensor(path, ch, e.getKey(), e.getValue().getAsJsonObject(), dataStart, dataLen, backend));
            }
            return new Checkpoint(tensors, meta);
        }
    }

    private static Tensor readTensor(Path path, FileChannel ch, String name, JsonObject t, long dataStart, long dataLen,
                                     Backend backend) throws IOException {
        String dtype = t.get("dtype").getAsString();
        var shapeArr = t.getAsJsonArray("shape");
        int[] shape = new int[shapeArr.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeArr.get(i).getAsInt();
            numel *= shape[i];
        }
        var offs = t.getAsJsonArray("data_offsets");
        long begin = offs.get(0).getAsLong(), end = offs.get(1).getAsLong();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F64" -> 8;
            case "F16", "BF16" -> 2;
            default -> throw bad(path, "tensor '" + name + "' has unsupported dtype " + dtype);
        };
        if (begin < 0 || end < begin || end > dataLen || end - begin != numel * width)
            throw bad(path, "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "] inconsistent with shape and dtype");
        ByteBuffer b = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, b, dataStart + begin);
        b.flip();
        float[] v = new float[(int) numel];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (dtype) {
                case "F32" -> b.getFloat();
                case "F64" -> (float) b.getDouble();
                case "F16" -> Float.float16ToFloat(b.getShort());
                default -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
            };
        }
        return Tensor.of(backend, v, shape);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) throw new IOException("unexpected end of file");
            pos += r;
        }
    }

    private static IOException bad(Path path, String what) {
        return new IOException(path + ": not a valid safetensors file: " + what);
    }
}
