package dev.deepanat.profile;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The comparison behind benchmarks/guard.sh: ratios ours / PyTorch per hot-path key (same machine, same run), checked
 * against the ratios stored in benchmarks/baselines/&lt;device&gt;.json. A key regresses when its ratio grew by more
 * than the tolerance (10 %); a baseline key with no measurement now fails too. Keys only measured now are reported.
 *
 * <pre>java -cp deepanat.jar dev.deepanat.profile.GuardCompare --ours ours.json --torch torch.jsonl
 *      (--baseline benchmarks/baselines/cpu.json | --record candidate.json --device cpu --note "…")</pre>
 * Exit 0: no regression (or recorded); 1: a regression or a missing key; 2: bad input.
 */
public final class GuardCompare {
    public static final double TOLERANCE = 0.10;

    /** One key: the baseline and current ratio and the verdict ("ok", "improved", "REGRESSION", "missing", "new"). */
    public record Verdict(String key, double baseline, double current, String status) {
        public boolean fails() {
            return status.equals("REGRESSION") || status.equals("missing");
        }
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private GuardCompare() {}

    /** ours[key] / torch[key] for every key both have. */
    public static Map<String, Double> ratios(Map<String, Double> ours, Map<String, Double> torch) {
        Map<String, Double> r = new TreeMap<>();
        ours.forEach((k, v) -> {
            Double t = torch.get(k);
            if (t != null && t > 0) r.put(k, v / t);
        });
        return r;
    }

    /** Every baseline key, then every new key, with its verdict under the tolerance (a fraction, 0.10 = 10 %). */
    public static List<Verdict> compare(Map<String, Double> baseline, Map<String, Double> current, double tolerance) {
        List<Verdict> out = new ArrayList<>();
        for (var e : new TreeMap<>(baseline).entrySet()) {
            Double c = current.get(e.getKey());
            double b = e.getValue();
            String s = c == null ? "missing" : c > b * (1 + tolerance) ? "REGRESSION" : c < b * (1 - tolerance) ? "improved" : "ok";
            out.add(new Verdict(e.getKey(), b, c == null ? Double.NaN : c, s));
        }
        for (var e : new TreeMap<>(current).entrySet())
            if (!baseline.containsKey(e.getKey())) out.add(new Verdict(e.getKey(), Double.NaN, e.getValue(), "new"));
        return out;
    }

    /** The ratios of a baseline file ({"ratios": {key: ratio}, ...}). */
    public static Map<String, Double> baselineRatios(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        if (!o.has("ratios")) throw new JsonParseException("no \"ratios\" object");
        return numbers(o.getAsJsonObject("ratios"));
    }

    /** {key: ms} as HotPath writes it. */
    public static Map<String, Double> ours(String json) {
        return numbers(JsonParser.parseString(json).getAsJsonObject());
    }

    /** One {"key": …, "ms": …} object per line (blank lines ignored). */
    public static Map<String, Double> torchLines(String jsonl) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : jsonl.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            m.put(o.get("key").getAsString(), o.get("ms").getAsDouble());
        }
        return m;
    }

    public static String table(List<Verdict> vs, double tolerance) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-34s %9s %9s %8s  %s (tolerance %.0f %%)%n",
                "key (ratio = ours / PyTorch)", "baseline", "now", "change", "verdict", 100 * tolerance));
        for (Verdict v : vs)
            sb.append(String.format(Locale.ROOT, "%-34s %9s %9s %8s  %s%n", v.key(), fmt(v.baseline()), fmt(v.current()),
                    Double.isNaN(v.baseline()) || Double.isNaN(v.current()) ? "" : String.format(Locale.ROOT, "%+.0f %%", 100 * (v.current() / v.baseline() - 1)),
                    v.status()));
        return sb.toString();
    }

    private static String fmt(double d) {
        return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, "%.3f", d);
    }

    private static Map<String, Double> numbers(JsonObject o) {
        Map<String, Double> m = new TreeMap<>();
        for (var e : o.entrySet()) m.put(e.getKey(), e.getValue().getAsDouble());
        return m;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("guard: bad arguments to the comparison: " + String.join(" ", args));
                return 2;
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        try {
            Map<String, Double> ours = ours(Files.readString(Path.of(a.get("ours"))));
            Map<String, Double> torch = torchLines(Files.readString(Path.of(a.get("torch"))));
            Map<String, Double> now = ratios(ours, torch);
            double tol = Double.parseDouble(a.getOrDefault("tolerance", Double.toString(TOLERANCE)));
            if (a.containsKey("record")) {
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("device", a.getOrDefault("device", "cpu"));
                rec.put("recorded_at", Instant.now().toString());
                rec.put("machine", a.getOrDefault("machine", ""));
                rec.put("note", a.getOrDefault("note", ""));
                rec.put("tolerance", tol);
                rec.put("ratios", now);
                rec.put("ours_ms", new TreeMap<>(ours));
                rec.put("torch_ms", new TreeMap<>(torch));
                dev.deepanat.common.AtomicFiles.writeString(Path.of(a.get("record")), GSON.toJson(rec) + "\n"); // never a half-written baseline
                System.out.print(table(compare(Map.of(), now, tol), tol));
                System.out.println("guard: recorded " + now.size() + " ratios in " + a.get("record"));
                return 0;
            }
            List<Verdict> vs = compare(baselineRatios(Files.readString(Path.of(a.get("baseline")))), now, tol);
            System.out.print(table(vs, tol));
            long bad = vs.stream().filter(Verdict::fails).count();
            System.out.println(bad == 0 ? "guard: no regression beyond " + Math.round(100 * tol) + " %"
                    : "guard: " + bad + " regression(s) or missing measurement(s) beyond " + Math.round(100 * tol) + " %");
            return bad == 0 ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("guard: cannot compare (" + e.getMessage() + ")");
            return 2;
        }
    }
}
