package dev.deepanat.bids;

import dev.deepanat.common.UserError;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --shard i/N}: shard i (1-based, 1..N) takes the participants at positions i-1, i-1+N, i-1+2N, ... of the
 * sorted list, so N array tasks ({@code --array=1-N}) split a cohort with no list file and no overlap. Shard 0 is
 * shard N, so a 0-based array ({@code --array=0-(N-1)}) covers the cohort as well.
 */
public record Shard(int index, int count) {
    public static final Shard ALL = new Shard(1, 1);

    public static Shard parse(String text) {
        if (text == null) return ALL;
        String[] p = text.strip().split("/");
        try {
            if (p.length == 2) {
                int i = Integer.parseInt(p[0].strip()), n = Integer.parseInt(p[1].strip());
                if (n >= 1 && i >= 0 && i <= n) return new Shard(i == 0 ? n : i, n);
            }
        } catch (NumberFormatException ignored) {
            // the message below
        }
        throw new UserError("--shard " + text + ": expected i/N with 0 <= i <= N, 0 meaning N (e.g. --shard ${SLURM_ARRAY_TASK_ID}/3 with --array=1-3 or 0-2)");
    }

    public <T> List<T> of(List<T> sorted) {
        List<T> mine = new ArrayList<>();
        for (int k = index - 1; k < sorted.size(); k += count) mine.add(sorted.get(k));
        return mine;
    }
}
