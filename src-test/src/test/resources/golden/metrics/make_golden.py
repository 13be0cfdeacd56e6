#!/usr/bin/python3
"""Golden image-agreement metrics for MetricsTest, SSIM from scikit-image.

Run from the repository root:  /usr/bin/python3 src-test/src/test/resources/golden/metrics/make_golden.py
Needs the Debian packages python3-skimage (0.19.3 made these files), python3-scipy and python3-nibabel.

Per case <name>: <name>_ref.nii.gz and <name>_pred.nii.gz (float32), <name>_mask.nii.gz (uint8), and an entry of
expected.json. The expectations are computed from the float32 voxels as written, cast to float64, with the
definitions of dev.deepanat.eval.Metrics, all inside the mask (mask > 0.5):
  mse   mean squared difference after each image is standardized by its own in-mask mean and population std
        and mapped z -> (z + 3) / 6
  mae   mean |pred - ref| on intensities as given
  psnr  10 log10(R^2 / mean squared intensity difference), R = ref's max - min in the mask
  ssim  skimage's SSIM map (Gaussian weights, sigma 1.5, population covariance, data_range R) of the whole
        volumes, averaged over the mask
"""
import json
import os

import nibabel as nib
import numpy as np
import scipy
import skimage
from scipy import ndimage
from skimage.metrics import structural_similarity

HERE = os.path.dirname(os.path.abspath(__file__))
AFFINE = np.diag([1.5, 1.5, 2.0, 1.0])


def ellipsoid(shape, centre, radii):
    g = np.meshgrid(*[np.arange(n, dtype=np.float64) for n in shape], indexing="ij")
    return sum(((gi - c) / r) ** 2 for gi, c, r in zip(g, centre, radii)) <= 1


def make(rng, shape, masks, blur, gain, offset, noise):
    """A smooth positive 'reference' (blurred noise + a bright ellipsoid) and a distorted 'prediction'."""
    ref = 400 + 150 * ndimage.gaussian_filter(rng.standard_normal(shape), 2.0, mode="nearest") * 4
    ref += 300 * ellipsoid(shape, [n * 0.45 for n in shape], [n * 0.25 for n in shape])
    ref = ndimage.gaussian_filter(ref, 0.8)
    pred = gain * ndimage.gaussian_filter(ref, blur) + offset + noise * rng.standard_normal(shape)
    mask = np.zeros(shape, bool)
    for centre, radii in masks:
        mask |= ellipsoid(shape, centre, radii)
    return ref.astype(np.float32), pred.astype(np.float32), mask.astype(np.uint8)


def metrics(pred, ref, mask):
    m = mask > 0.5
    p, r = pred[m], ref[m]
    z = lambda v: ((v - v.mean()) / v.std() + 3) / 6
    rng = r.max() - r.min()
    mse_int = np.mean((p - r) ** 2)
    _, smap = structural_similarity(ref, pred, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                    data_range=rng, full=True)
    return {"mse": float(np.mean((z(p) - z(r)) ** 2)), "mae": float(np.mean(np.abs(p - r))),
            "psnr": float(10 * np.log10(rng ** 2 / mse_int)), "ssim": float(smap[m].mean()), "voxels": int(m.sum())}


def main():
    rng = np.random.default_rng(20240611)
    cases = {
        # an ellipsoid well inside the grid
        "inner": make(rng, (24, 20, 18), [([11.5, 9.5, 8.5], [8, 6.5, 6])], blur=0.7, gain=1.1, offset=-20, noise=15),
        # odd, non-cubic; one ellipsoid inside, one cut by the x = 0 and z = max faces
        "border": make(rng, (27, 13, 31), [([14, 6, 12], [6, 4, 7]), ([2, 6, 27], [7, 5, 8])],
                       blur=1.2, gain=0.9, offset=35, noise=25),
        # the smallest grid skimage accepts on one axis (11 = the window), mask over most of it
        "thin": make(rng, (17, 23, 11), [([8, 11, 5], [9, 13, 6])], blur=0.5, gain=1.0, offset=0, noise=40),
    }
    expected = {"skimage": skimage.__version__, "scipy": scipy.__version__, "numpy": np.__version__, "cases": {}}
    for name, (ref, pred, mask) in cases.items():
        for kind, vol in (("ref", ref), ("pred", pred), ("mask", mask)):
            nib.save(nib.Nifti1Image(vol, AFFINE), os.path.join(HERE, f"{name}_{kind}.nii.gz"))
        # read back what was written, so the expectations come from exactly the voxels the Java test reads
        load = lambda kind: np.asanyarray(nib.load(os.path.join(HERE, f"{name}_{kind}.nii.gz")).dataobj).astype(np.float64)
        expected["cases"][name] = {"shape": list(ref.shape), **metrics(load("pred"), load("ref"), load("mask"))}
        print(name, expected["cases"][name])
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
