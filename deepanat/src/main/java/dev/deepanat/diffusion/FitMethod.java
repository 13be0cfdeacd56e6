package dev.deepanat.diffusion;

import dev.deepanat.common.UserError;

/** Linear tensor estimators on the log signal. */
public enum FitMethod {
    /** Ordinary least squares. */
    OLS,
    /** Weighted least squares with weights = OLS-predicted signal (dipy {@code fit_method='WLS'}, FSL {@code dtifit --wls}). */
    WLS;

    public static FitMethod parse(String text) {
        for (FitMethod m : values()) if (m.name().equalsIgnoreCase(text.strip())) return m;
        throw new UserError("--fit: '" + text + "' is not one of wls, ols");
    }
}
