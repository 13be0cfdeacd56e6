package dev.deepanat.train;

import dev.deepanat.common.UserError;
import dev.deepanat.data.BlockSet;
import dev.deepanat.data.Cohort;
import dev.deepanat.data.Subject;
import dev.deepanat.data.SubjectLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training and validation blocks of a run, after {@link TrainRequest}'s validation rules. Subjects are loaded
 * once; the block sets refer to them.
 */
record DataSplit(List<String> trainSubjects, List<String> valSubjects, String rule, List<Subject> loaded,
                 BlockSet train, BlockSet val) {

    static DataSplit of(TrainRequest r) {
        // Sorted, so that the split and the block order do not depend on the order the user listed the subjects in.
        List<String> all = (r.subjects() == null ? Cohort.all(r.data()) : Cohort.select(r.data(), String.join(",", r.subjects())))
                .stream().sorted().toList();
        int given = (r.valSubjects() != null && !r.valSubjects().isEmpty() ? 1 : 0) + (r.valFraction() != null ? 1 : 0)
                + (r.valBlocks() != null ? 1 : 0);
        if (given > 1) throw new UserError("--val-subjects, --val-fraction and --val-blocks are alternatives; give one");
        List<String> val;
        String rule;
        if (r.valSubjects() != null && !r.valSubjects().isEmpty()) {
            val = Cohort.select(r.data(), String.join(",", r.valSubjects())).stream().sorted().toList();
            rule = "validation subjects " + val;
        } else if (r.valFraction() != null || (r.valBlocks() == null && r.init() == null && all.size() >= 2)) {
            double f = r.valFraction() != null ? r.valFraction() : TrainRequest.DEFAULT_VAL_FRACTION;
            if (!(f >= 0 && f < 1)) throw new UserError("--val-fraction " + f + ": must be in [0, 1)");
            List<String> shuffled = new ArrayList<>(all);
            SplittableRandom rng = new SplittableRandom(r.seed());
            for (int i = shuffled.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                shuffled.set(j, shuffled.set(i, shuffled.get(j)));
            }
            int n = f == 0 ? 0 : Math.min(all.size() - 1, Math.max(1, (int) Math.round(f * all.size())));
            val = shuffled.subList(0, n).stream().sorted().toList();
            rule = n == 0 ? "no validation" : "validation subjects " + val + " (" + Math.round(f * 100) + "% of " + all.size() + ")";
        } else {
            double f = r.valBlocks() != null ? r.valBlocks() : TrainRequest.DEFAULT_VAL_FRACTION;
            if (!(f >= 0 && f < 1)) throw new UserError("--val-blocks " + f + ": must be in [0, 1)");
            List<Subject> loaded = load(r, all);
            BlockSet[] split = BlockSet.splitPerSubject(loaded, r.block(), f, r.seed());
            return new DataSplit(all, List.of(), f == 0 ? "no validation"
                    : Math.round(f * 100) + "% of each subject's blocks for validation", loaded, split[0], split[1]);
        }
        List<String> train = all.stream().filter(s -> !val.contains(s)).toList();
        if (train.isEmpty()) throw new UserError("every selected subject is a validation subject; none is left to train on");
        List<String> order = new ArrayList<>(train);
        order.addAll(val);
        List<Subject> loaded = load(r, order);
        return new DataSplit(train, val, rule, loaded, BlockSet.of(loaded.subList(0, train.size()), r.block(), true),
                BlockSet.of(loaded.subList(train.size(), loaded.size()), r.block(), false));
    }

    private static List<Subject> load(TrainRequest r, List<String> ids) {
        List<Subject> out = new ArrayList<>();
        for (String id : ids) out.add(Subject.load(new SubjectLayout(r.data().resolve(id), id), true));
        return out;
    }

    /** The training subjects' mean T1w statistics, stored in the checkpoint for de-normalization. */
    double[] t1wStats() {
        double mean = 0, std = 0;
        int n = 0;
        for (Subject s : loaded) {
            if (!trainSubjects.contains(s.id())) continue;
            mean += s.targetStats().mean();
            std += s.targetStats().std();
            n++;
        }
        return new double[] {mean / n, std / n};
    }
}
