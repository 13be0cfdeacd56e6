#!/usr/bin/python3
"""Golden data for DeepAnat-J's resampler (dev.deepanat.nifti.Resample), computed with scipy.ndimage.

Run from anywhere:  /usr/bin/python3 make_golden.py

Writes, beside this script:
  input.nii.gz         23x19x17 smooth random volume, geometry in the qform only (sform_code 0)
  reference.nii.gz     20x22x15 grid in the sform: rotated a few degrees, other voxel sizes, shifted so that
                       part of it lies outside the input's field of view
  expected_order1.nii.gz, expected_order3.nii.gz
                       scipy.ndimage.affine_transform(input, M[:3, :3], M[:3, 3], order=k, mode='constant',
                       cval=0, prefilter=True) with M = inv(A_input) @ A_reference, in float64, stored as float32
  resample.json        versions, data range, the voxel-to-voxel matrix, how many output voxels map outside [0, n-1] on
                       some axis (scipy's 'constant' gives them cval, even those in the strip less than one voxel
                       outside, which 'grid-constant' would interpolate), and per order the voxels equal to cval and
                       those where mode='mirror' differs (the same set: inside, 'constant' interpolates with
                       mirror-extended spline coefficients)

Everything is computed from the files as written (float32 voxels, affines as nibabel reads them back), so the Java
side, which reads the same files, sees the same numbers.
"""
import json
import os

import nibabel as nib
import numpy as np
import scipy
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))


def rotation(ax, ay, az):
    ax, ay, az = np.radians([ax, ay, az])
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def affine(rot, zooms, origin):
    a = np.eye(4)
    a[:3, :3] = rot @ np.diag(zooms)
    a[:3, 3] = origin
    return a


def save(name, data, aff, use_sform):
    img = nib.Nifti1Image(data.astype(np.float32), None)
    if use_sform:
        img.header.set_sform(aff, code=2)
        img.header.set_qform(None, code=0)
    else:
        img.header.set_qform(aff, code=1)
        img.header.set_sform(None, code=0)
    path = os.path.join(HERE, name)
    nib.save(img, path)
    return nib.load(path)


def main():
    rng = np.random.default_rng(20240611)
    vol = ndimage.gaussian_filter(rng.standard_normal((23, 19, 17)), 1.2)
    vol = 100 * (vol - vol.min()) / (vol.max() - vol.min()) - 20  # range [-20, 80]
    a_in = affine(rotation(2, -3, 1), [1.2, 1.0, 1.5], [-13.0, -9.5, -12.0])
    a_ref = affine(rotation(-4, 5, 7), [1.1, 1.3, 1.4], [-9.0, -14.0, -8.0])

    inp = save('input.nii.gz', vol, a_in, use_sform=False)
    ref = save('reference.nii.gz', np.zeros((20, 22, 15)), a_ref, use_sform=True)

    data = np.asarray(inp.dataobj, dtype=np.float64)  # the float32 voxels as stored
    m = np.linalg.inv(inp.affine) @ ref.affine
    grid = np.indices(ref.shape).reshape(3, -1).astype(np.float64)
    coords = (m[:3, :3] @ grid + m[:3, 3:]).T
    n = np.array(data.shape) - 1
    outside = (coords < 0) | (coords > n)
    strip = outside.any(axis=1) & ((coords > -1) & (coords < n + 1)).all(axis=1)
    summary = {'scipy': scipy.__version__, 'numpy': np.__version__, 'nibabel': nib.__version__,
               'data_min': float(data.min()), 'data_max': float(data.max()),
               'matrix': m.tolist(), 'voxels': int(strip.size), 'outside_voxels': int(outside.any(axis=1).sum()),
               'edge_strip_voxels': int(strip.sum()), 'outputs': {}}
    for order in (1, 3):
        out = ndimage.affine_transform(data, m[:3, :3], m[:3, 3], output_shape=ref.shape, order=order,
                                       mode='constant', cval=0.0, prefilter=True, output=np.float64)
        mirror = ndimage.affine_transform(data, m[:3, :3], m[:3, 3], output_shape=ref.shape, order=order,
                                          mode='mirror', prefilter=True, output=np.float64)
        save(f'expected_order{order}.nii.gz', out, ref.affine, use_sform=True)
        summary['outputs'][f'order{order}'] = {
            'zero_voxels': int((out == 0).sum()),
            'constant_vs_mirror_differ': int((np.abs(out - mirror) > 1e-9).sum()),
        }
    with open(os.path.join(HERE, 'resample.json'), 'w') as f:
        json.dump(summary, f, indent=1)
        f.write('\n')
    print(json.dumps({k: v for k, v in summary.items() if k != 'matrix'}))


if __name__ == '__main__':
    main()
