package dev.deepanat.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The FMA ceiling this JVM reaches on this machine, the "peak" that docs/performance.md divides by. One op is one
 * FLOP and the unit is ops/ns, so scores read directly as GFLOP/s. The FLOP counts assume 16 float lanes (512-bit
 * vectors, FloatVector.SPECIES_PREFERRED on AVX-512); at another width multiply the score by VL/16.
 * <ul>
 *   <li>{@code registers}: 12 independent vector FMA chains, no memory operands: the core's FMA throughput.
 *   <li>{@code microKernel}: 6 broadcast weights × 2 vectors (12 accumulators) over L1-resident packed operands
 *       (the 6×32 kernel);
 *   <li>{@code microKernel6x3}: the conv forward kernel's shape, 6 × 3 vectors (18 accumulators), same operands.
 * </ul>
 * Run with {@code -t 1} for one core and {@code -t 2} for both cores (scores add up over threads).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class FmaPeakBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int K = dev.deepanat.profile.PeakKernels.FMA_K, ITER = 1000;

    float[] a = new float[K * 6], b = new float[K * 3 * VL + VL], c = new float[12 * VL];

    @Setup
    public void setup() {
        for (int i = 0; i < a.length; i++) a[i] = 1e-3f * (i % 7);
        for (int i = 0; i < b.length; i++) b[i] = 1e-3f * (i % 5);
    }

    @Benchmark
    @OperationsPerInvocation(ITER * 12 * 2 * 16)
    public float registers() {
        FloatVector x = FloatVector.broadcast(S, 0.999f), y = FloatVector.broadcast(S, 1e-6f);
        FloatVector c0 = y, c1 = y, c2 = y, c3 = y, c4 = y, c5 = y, c6 = y, c7 = y, c8 = y, c9 = y, c10 = y, c11 = y;
        for (int i = 0; i < ITER; i++) {
            c0 = c0.fma(x, y); c1 = c1.fma(x, y); c2 = c2.fma(x, y); c3 = c3.fma(x, y);
            c4 = c4.fma(x, y); c5 = c5.fma(x, y); c6 = c6.fma(x, y); c7 = c7.fma(x, y);
            c8 = c8.fma(x, y); c9 = c9.fma(x, y); c10 = c10.fma(x, y); c11 = c11.fma(x, y);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD) * VL;
    }

    @Benchmark
    @OperationsPerInvocation(K * 12 * 2 * 16)
    public float microKernel() {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int k = 0, ai = 0; k < K; k++, ai += 6) {
            FloatVector b0 = FloatVector.fromArray(S, b, k * 2 * VL), b1 = FloatVector.fromArray(S, b, k * 2 * VL + VL);
            FloatVector w = FloatVector.broadcast(S, a[ai]);
            c00 = w.fma(b0, c00); c01 = w.fma(b1, c01);
            w = FloatVector.broadcast(S, a[ai + 1]);
            c10 = w.fma(b0, c10); c11 = w.fma(b1, c11);
            w = FloatVector.broadcast(S, a[ai + 2]);
            c20 = w.fma(b0, c20); c21 = w.fma(b1, c21);
            w = FloatVector.broadcast(S, a[ai + 3]);
            c30 = w.fma(b0, c30); c31 = w.fma(b1, c31);
            w = FloatVector.broadcast(S, a[ai + 4]);
            c40 = w.fma(b0, c40); c41 = w.fma(b1, c41);
            w = FloatVector.broadcast(S, a[ai + 5]);
            c50 = w.fma(b0, c50); c51 = w.fma(b1, c51);
        }
        c00.add(c01).add(c10).add(c11).add(c20).add(c21).add(c30).add(c31).add(c40).add(c41).add(c50).add(c51)
                .intoArray(c, 0);
        return c[0] * VL;
    }

    @Benchmark
    @OperationsPerInvocation(K * 18 * 2 * 16)
    public float microKernel6x3() {
        return dev.deepanat.profile.PeakKernels.microKernel(a, b); // the kernel `deepanat profile`'s peak runs
    }
}
