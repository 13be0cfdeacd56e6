package dev.deepanat.diffusion;

import dev.deepanat.common.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads and writes FSL {@code bvals}/{@code bvecs} text files.
 * <p>bvals: any number of whitespace-separated values (one row or one column). bvecs: either 3 rows of N
 * values (FSL's layout) or N rows of 3 values; a 3x3 file is read as 3 rows, as FSL does. Vectors are used as
 * given, not renormalised: a text file rounds them to |g| = 1 ± 1e-4 or so, and dipy, FSL and MRtrix (which scales
 * b by |g|²) all let that tiny deviation weight the design; renormalising would cost 1e-4 of parity with dipy.
 * A DWI vector further than {@link #UNIT_TOLERANCE} from unit length is an error (a wrong file, not rounding).
 * Some tools write {@code nan nan nan} for b=0 volumes (dipy's small_64D does): a NaN vector is accepted, as zero,
 * on volumes with b ≤ 50 and is an error elsewhere.
 */
public final class GradientFiles {
    static final double UNIT_TOLERANCE = 0.1;

    private GradientFiles() {}

    public static GradientTable read(Path bvalFile, Path bvecFile) {
        List<double[]> bvalRows = readRows(bvalFile);
        int n = 0;
        for (double[] r : bvalRows) n += r.length;
        if (n == 0) throw new UserError(bvalFile + ": no b-values in the file");
        double[] bvals = new double[n];
        int k = 0;
        for (double[] r : bvalRows) for (double v : r) {
            if (v < 0) throw new UserError(bvalFile + ": negative b-value " + v);
            bvals[k++] = v;
        }

        List<double[]> vecRows = readRows(bvecFile, true);
        double[] bvecs = new double[3 * n];
        if (vecRows.size() == 3 && vecRows.get(0).length == n && vecRows.get(1).length == n && vecRows.get(2).length == n) {
            for (int i = 0; i < n; i++) for (int c = 0; c < 3; c++) bvecs[3 * i + c] = vecRows.get(c)[i];
        } else if (vecRows.size() == n && vecRows.stream().allMatch(r -> r.length == 3)) {
            for (int i = 0; i < n; i++) for (int c = 0; c < 3; c++) bvecs[3 * i + c] = vecRows.get(i)[c];
        } else {
            throw new UserError(bvecFile + ": expected 3 rows of " + n + " values or " + n + " rows of 3 values to match "
                    + n + " b-values in " + bvalFile + ", found " + describe(vecRows));
        }
        for (int i = 0; i < n; i++) {
            double x = bvecs[3 * i], y = bvecs[3 * i + 1], z = bvecs[3 * i + 2];
            double norm = Math.sqrt(x * x + y * y + z * z);
            if (Double.isNaN(norm)) {
                if (bvals[i] > 50) throw new UserError(bvecFile + ": volume " + i + " has b=" + bvals[i] + " but a NaN gradient direction");
                bvecs[3 * i] = 0; bvecs[3 * i + 1] = 0; bvecs[3 * i + 2] = 0;
                continue;
            }
            if (bvals[i] > 50 && norm <= 1e-6)
                throw new UserError(bvecFile + ": volume " + i + " has b=" + bvals[i] + " but a zero gradient direction");
            if (bvals[i] > 50 && Math.abs(norm - 1) > UNIT_TOLERANCE)
                throw new UserError(bvecFile + ": volume " + i + " has a gradient vector of length " + (float) norm + "; FSL bvecs must be unit vectors");
        }
        return new GradientTable(bvals, bvecs);
    }

    /** FSL layout: all b-values on one row. */
    public static String bvalText(GradientTable table) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < table.count(); i++) b.append(i == 0 ? "" : " ").append(fmt(table.b(i)));
        return b.append('\n').toString();
    }

    /** FSL layout: 3 rows (x, y, z) of one value per volume. */
    public static String bvecText(GradientTable table) {
        StringBuilder v = new StringBuilder();
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < table.count(); i++) v.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.6f", table.bvecs()[3 * i + c]));
            v.append('\n');
        }
        return v.toString();
    }

    private static String fmt(double b) {
        return b == Math.rint(b) ? Long.toString((long) b) : String.format(Locale.ROOT, "%.3f", b);
    }

    private static String describe(List<double[]> rows) {
        if (rows.isEmpty()) return "an empty file";
        int min = Integer.MAX_VALUE, max = 0;
        for (double[] r : rows) { min = Math.min(min, r.length); max = Math.max(max, r.length); }
        return rows.size() + " rows of " + (min == max ? Integer.toString(min) : min + "-" + max) + " values";
    }

    /** Non-empty lines as numbers; a token that is not a finite number is an error naming the line. */
    private static List<double[]> readRows(Path file) {
        return readRows(file, false);
    }

    private static List<double[]> readRows(Path file, boolean allowNaN) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": no such file");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        List<double[]> rows = new ArrayList<>();
        for (int ln = 0; ln < lines.size(); ln++) {
            String line = lines.get(ln).strip();
            if (line.isEmpty()) continue;
            String[] tok = line.split("[\\s,]+");
            double[] row = new double[tok.length];
            for (int i = 0; i < tok.length; i++) {
                try {
                    row[i] = allowNaN && tok[i].equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(tok[i]);
                } catch (NumberFormatException e) {
                    throw new UserError(file + ": line " + (ln + 1) + ": '" + abbreviate(tok[i]) + "' is not a number");
                }
                if (Double.isInfinite(row[i]) || (Double.isNaN(row[i]) && !allowNaN)) throw new UserError(file + ": line " + (ln + 1) + ": non-finite value " + tok[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 20 ? printable.substring(0, 20) + "..." : printable;
    }
}
