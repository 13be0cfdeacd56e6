package dev.deepanat.eval;

/**
 * Agreement of a synthesized image with the reference inside a mask: MSE, MAE and PSNR (peak = the reference's
 * maximum inside the mask), on intensities as written.
 */
public record Metrics(double mse, double mae, double psnr, long voxels) {
    public static Metrics of(float[] pred, float[] ref, float[] mask) {
        if (pred.length != ref.length || ref.length != mask.length)
            throw new IllegalArgumentException("metrics: volumes of " + pred.length + ", " + ref.length + " and " + mask.length + " voxels");
        double se = 0, ae = 0, peak = 0;
        long n = 0;
        for (int i = 0; i < ref.length; i++) {
            if (mask[i] <= 0) continue;
            double d = (double) pred[i] - ref[i];
            se += d * d;
            ae += Math.abs(d);
            peak = Math.max(peak, ref[i]);
            n++;
        }
        if (n == 0) throw new IllegalArgumentException("metrics: the mask is empty");
        double mse = se / n;
        return new Metrics(mse, ae / n, 10 * Math.log10(peak * peak / mse), n);
    }

    @Override
    public String toString() {
        return String.format("MAE %.4g  MSE %.4g  PSNR %.2f dB  (%,d voxels)", mae, mse, psnr, voxels);
    }
}
