package dev.deepanat.diffusion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DSM6 (Skare 2000, as used by DeepDTI) and a numerical check that nothing beats its condition number. */
class OptimalDirectionsTest {

    @Test
    void dsm6IsSixUnitVectors() {
        double[] d = OptimalDirections.dsm6();
        assertEquals(18, d.length);
        for (int i = 0; i < 6; i++) assertEquals(1, Math.sqrt(d[3 * i] * d[3 * i] + d[3 * i + 1] * d[3 * i + 1] + d[3 * i + 2] * d[3 * i + 2]), 1e-12);
        assertEquals(0.910 / Math.hypot(0.910, 0.416), d[0], 1e-12);
    }

    @Test
    void noSearchedSetHasALowerConditionNumberThanDsm6() {
        double dsm6 = OptimalDirections.conditionNumber(OptimalDirections.dsm6());
        double found = OptimalDirections.conditionNumber(OptimalDirections.minimiseConditionNumber(2020, 8, 3000));
        System.out.printf("condition number: DSM6 %.4f, best of the numerical search %.4f%n", dsm6, found);
        assertTrue(dsm6 < 1.6, "DSM6 condition number " + dsm6);
        assertTrue(found >= dsm6 * 0.999, "search found " + found + " < DSM6 " + dsm6);
    }
}
