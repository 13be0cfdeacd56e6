#!/usr/bin/python3
"""Golden tensor-fit results for DtiDipyParityTest, made with dipy's WLS fit (and checked against MRtrix3).

Run from the repository root:  /usr/bin/python3 src-test/src/test/resources/golden/diffusion/make_golden.py
Needs the Debian packages python3-dipy, python3-nibabel and mrtrix3 (only for the printed second opinion),
and the deepanat CLI (bin/deepanat) for the phantom input, which is committed here so the test never runs Java
code to make its own input.

Datasets: dipy's small_64D, small_101D, small_25 (in dipy/data/files) and a 24^3 phantom (phantom_dwi.nii.gz,
rounded to int16 so the Java test reads exactly what dipy fitted).

Every volume enters the fit (the Java test uses --shell all), as dipy's TensorModel does.

Voxel selection ("well posed"), recorded here and in docs/preprocessing.md:
  * every signal of the voxel > 0 (so dipy's clamp to min_signal=1e-4 never acts),
  * all three eigenvalues >= 1e-5 mm^2/s (none clipped at 0),
  * MD >= 1e-4 mm^2/s,
  * the phantom additionally restricted to its mask.

Output <name>.golden.bin, little endian: int32 count, then per voxel int32 linear index (x fastest),
float64 L1, L2, L3 (mm^2/s), FA, MD.
"""
import os
import struct
import subprocess
import sys
import tempfile

import nibabel as nib
import numpy as np
from dipy.core.gradients import gradient_table
from dipy.io.gradients import read_bvals_bvecs
import dipy.reconst.dti as dti

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, *[".."] * 6))
DIPY_FILES = "/usr/lib/python3/dist-packages/dipy/data/files"


def make_phantom():
    out = tempfile.mkdtemp()
    subprocess.run([os.path.join(REPO, "bin", "deepanat"), "phantom", "--out", out, "--subjects", "1",
                    "--size", "24", "--seed", "7", "--directions", "30", "--b0s", "3"], check=True)
    d = os.path.join(out, "sub-01")
    img = nib.load(os.path.join(d, "sub-01_dwi.nii.gz"))
    data = np.round(img.get_fdata()).astype(np.int16)
    out_img = nib.Nifti1Image(data, img.affine)
    out_img.set_data_dtype(np.int16)
    nib.save(out_img, os.path.join(HERE, "phantom_dwi.nii.gz"))
    for ext in ("bval", "bvec"):
        with open(os.path.join(d, "sub-01_dwi." + ext)) as f, open(os.path.join(HERE, "phantom_dwi." + ext), "w") as g:
            g.write(f.read())
    mask = nib.load(os.path.join(d, "sub-01_mask.nii.gz"))
    nib.save(nib.Nifti1Image(mask.get_fdata().astype(np.uint8), mask.affine), os.path.join(HERE, "phantom_mask.nii.gz"))


def fit(nii, bval, bvec, mask=None):
    img = nib.load(nii)
    data = img.get_fdata()
    bvals, bvecs = read_bvals_bvecs(bval, bvec)
    gtab = gradient_table(bvals, bvecs, b0_threshold=50)
    f = dti.TensorModel(gtab, fit_method="WLS").fit(data)
    ev = f.evals
    ok = np.all(data > 0, axis=-1) & np.all(ev >= 1e-5, axis=-1) & (f.md >= 1e-4)
    if mask is not None:
        ok &= nib.load(mask).get_fdata() > 0
    return data, img, f, ok


def write_golden(name, f, ok):
    idx = np.flatnonzero(ok.ravel(order="F"))
    ev = f.evals.reshape(-1, 3, order="F")[idx]
    fa = f.fa.ravel(order="F")[idx]
    md = f.md.ravel(order="F")[idx]
    with open(os.path.join(HERE, name + ".golden.bin"), "wb") as out:
        out.write(struct.pack("<i", len(idx)))
        for k, i in enumerate(idx):
            out.write(struct.pack("<i5d", int(i), ev[k, 0], ev[k, 1], ev[k, 2], fa[k], md[k]))
    print(f"{name}: {len(idx)} of {ok.size} voxels well posed")


def wls_twice(data, gtab, ok):
    """dipy's WLS step (weights = predicted signal from the previous fit) applied twice after OLS: MRtrix's IWLS."""
    X = dti.design_matrix(gtab)
    y = np.log(np.maximum(data[ok], 1e-4))
    beta = np.linalg.lstsq(X, y.T, rcond=None)[0].T
    for _ in range(2):
        nxt = np.empty_like(beta)
        for i in range(len(y)):
            w = np.exp(X @ beta[i])
            nxt[i] = np.linalg.lstsq(X * w[:, None], w * y[i], rcond=None)[0]
        beta = nxt
    evals = np.linalg.eigvalsh(dti.from_lower_triangular(beta[:, :6]))
    evals = np.clip(evals, 0, None)
    return dti.fractional_anisotropy(evals), evals.mean(-1)


def rel_stats(a, b):
    r = np.abs(a - b) / np.maximum(np.abs(b), 1e-12)
    return f"median {np.median(r):.2e}, 95th pct {np.percentile(r, 95):.2e}, max {r.max():.2e}"


def mrtrix_agreement(name, nii, bval, bvec, f, ok):
    tmp = tempfile.mkdtemp()
    dt, fa, adc = (os.path.join(tmp, n) for n in ("dt.nii", "fa.nii", "adc.nii"))
    q = ["-quiet", "-force"]
    # MRtrix's -fslgrad wants 3 rows; small_64D.bvec has 3 columns, so hand it dipy's reading in FSL layout.
    bvals, bvecs = read_bvals_bvecs(bval, bvec)
    bval, bvec = os.path.join(tmp, "bval"), os.path.join(tmp, "bvec")
    np.savetxt(bval, bvals[None, :], fmt="%.6f")
    np.savetxt(bvec, np.nan_to_num(bvecs).T, fmt="%.8f")  # small_64D writes "nan nan nan" for its b=0
    # small_64D has an axis-swapping affine, which MRtrix re-strides on load; an identity-orientation copy keeps
    # MRtrix's voxel grid equal to dipy's (eigenvalues, FA and MD do not depend on the orientation).
    src = nib.load(nii)
    data = src.get_fdata()
    nii = os.path.join(tmp, "dwi.nii")
    nib.save(nib.Nifti1Image(data.astype(np.float32), np.diag([2.0, 2.0, 2.0, 1.0])), nii)
    # Measured: MRtrix 3.0's "-ols -iter 2" = OLS followed by two re-weightings (it equals the replay below to
    # ~1e-8), while dipy's WLS is OLS followed by one. "-ols -iter 0" and "-iter 1" both give plain OLS.
    subprocess.run(["dwi2tensor", nii, dt, "-fslgrad", bvec, bval, "-ols", "-iter", "2"] + q, check=True)
    subprocess.run(["tensor2metric", dt, "-fa", fa, "-adc", adc] + q, check=True)
    mfa = nib.load(fa).get_fdata()[ok]
    mmd = nib.load(adc).get_fdata()[ok]
    gtab = gradient_table(bvals, bvecs, b0_threshold=50)
    tfa, tmd = wls_twice(data, gtab, ok)
    print(f"{name}: MRtrix3 dwi2tensor -ols -iter 2 vs dipy WLS (one re-weighting): FA {rel_stats(mfa, f.fa[ok])}; "
          f"MD {rel_stats(mmd, f.md[ok])}")
    print(f"{name}: MRtrix3 dwi2tensor -ols -iter 2 vs dipy's WLS step applied twice: FA {rel_stats(mfa, tfa)}; "
          f"MD {rel_stats(mmd, tmd)}")


def main():
    if "--no-phantom" not in sys.argv:
        make_phantom()
    sets = [
        ("small_64D", os.path.join(DIPY_FILES, "small_64D.nii"), os.path.join(DIPY_FILES, "small_64D.bval"),
         os.path.join(DIPY_FILES, "small_64D.bvec"), None),
        ("small_101D", os.path.join(DIPY_FILES, "small_101D.nii.gz"), os.path.join(DIPY_FILES, "small_101D.bval"),
         os.path.join(DIPY_FILES, "small_101D.bvec"), None),
        ("small_25", os.path.join(DIPY_FILES, "small_25.nii.gz"), os.path.join(DIPY_FILES, "small_25.bval"),
         os.path.join(DIPY_FILES, "small_25.bvec"), None),
        ("phantom", os.path.join(HERE, "phantom_dwi.nii.gz"), os.path.join(HERE, "phantom_dwi.bval"),
         os.path.join(HERE, "phantom_dwi.bvec"), os.path.join(HERE, "phantom_mask.nii.gz")),
    ]
    for name, nii, bval, bvec, mask in sets:
        data, img, f, ok = fit(nii, bval, bvec, mask)
        write_golden(name, f, ok)
        try:
            mrtrix_agreement(name, nii, bval, bvec, f, ok)
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"{name}: MRtrix3 comparison skipped ({e})")


if __name__ == "__main__":
    main()
