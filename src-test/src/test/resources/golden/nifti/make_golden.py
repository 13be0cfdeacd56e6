#!/usr/bin/python3
"""Golden data for DeepAnat-J's NIfTI reader/writer tests, computed with nibabel (Debian python3-nibabel).

Run from anywhere:  /usr/bin/python3 make_golden.py [--check-java-written]

Writes, beside this script:
  packaged.json        one summary per NIfTI file shipped in nibabel's and dipy's Debian packages: shape, datatype,
                       affine, scaling, sum / sum of squares / min / max of get_fdata(), and values at fixed indices.
                       The Java test reads the same files from the installed package directories.
  nibabel_written/     small images written by nibabel here (scaled int16, big-endian, NIfTI-2, .hdr/.img pair,
                       2D, complex64) plus header edge cases patched byte-wise (scl_slope 0/NaN, qfac 0/-1,
                       negative or zero pixdim, no or invalid xform codes), and nibabel_written.json with all
                       their values as nibabel reads them; the Java reader must agree.
  java_written_check.json
                       with --check-java-written: nibabel's reading of the files the Java writer produced
                       (java_written/, made by NiftiRoundTripTest when -Ddeepanat.nifti.regenerate=true) compared
                       with the expected values; NiftiRoundTripTest asserts the verdict and that the writer still
                       produces those exact bytes.

Sample indices: index k (0 <= k < 257) is (k * 2654435761) % n, plus n - 1; the Java test computes the same.
"""
import glob
import gzip
import json
import os
import struct
import sys

import numpy as np
import nibabel as nib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOTS = {
    'nibabel': '/usr/lib/python3/dist-packages/nibabel/tests/data',
    'dipy': '/usr/lib/python3/dist-packages/dipy/data/files',
}
SUPPORTED = {2: 'uint8', 256: 'int8', 4: 'int16', 512: 'uint16', 8: 'int32', 768: 'uint32', 1024: 'int64',
             16: 'float32', 64: 'float64'}
NSAMPLES = 257


def sample_indices(n):
    return sorted(set([(k * 2654435761) % n for k in range(NSAMPLES)] + [n - 1]))


def summary(data):
    """Statistics of get_fdata() in F (NIfTI on-disk) order, over finite values."""
    flat = np.asarray(data, dtype=np.float64).reshape(-1, order='F')
    finite = flat[np.isfinite(flat)]
    idx = sample_indices(flat.size) if flat.size else []
    return {
        'count': int(flat.size),
        'nonfinite': int(flat.size - finite.size),
        'sum': float(finite.sum()),
        'sumsq': float((finite * finite).sum()),
        'min': float(finite.min()) if finite.size else 0.0,
        'max': float(finite.max()) if finite.size else 0.0,
        'samples': [[int(i), float(flat[i])] for i in idx],
    }


def header_fields(img):
    h = img.header
    return {
        'version': 2 if isinstance(h, nib.Nifti2Header) else 1,
        'magic': h['magic'].item()[:3].decode('latin-1'),
        'big_endian': h.endianness == '>',
        'shape': [int(d) for d in img.shape],
        'datatype': int(h['datatype']),
        # nibabel moves the header's scaling into the data proxy on load (the header then says NaN).
        'slope': float(img.dataobj.slope),
        'inter': float(img.dataobj.inter),
        'qform_code': int(h['qform_code']),
        'sform_code': int(h['sform_code']),
        'xyzt_units': int(h['xyzt_units']),
        'intent_code': int(h['intent_code']),
        'pixdim': [float(p) for p in h['pixdim']],
        'descrip': h['descrip'].item().decode('latin-1'),
        'affine': [[float(v) for v in row] for row in img.affine],
        'qform': [[float(v) for v in row] for row in h.get_qform()],
        'sform': [[float(v) for v in row] for row in h.get_sform()],
    }


LOADERS = {b'n+1': nib.Nifti1Image, b'ni1': nib.Nifti1Pair, b'n+2': nib.Nifti2Image, b'ni2': nib.Nifti2Pair}


def read_magic(f):
    """The NIfTI magic of a header file, or b'' when its sizeof_hdr is neither 348 nor 540."""
    opener = gzip.open if f.endswith('.gz') else open
    with opener(f, 'rb') as fh:
        b = fh.read(540)
    for order in ('<', '>'):
        size = struct.unpack(order + 'i', b[:4])[0]
        if size == 348:
            return b[344:347]
        if size == 540:
            return b[4:7]
    return b''


def packaged():
    entries = []
    for root_name, root in ROOTS.items():
        files = []
        for pat in ('*.nii', '*.nii.gz', '*.hdr', '*.hdr.gz'):
            files += glob.glob(os.path.join(root, '**', pat), recursive=True)
        for f in sorted(set(files)):
            rel = os.path.relpath(f, root)
            entry = {'root': root_name, 'file': rel}
            magic = read_magic(f)
            loader = LOADERS.get(magic)
            if loader is None:
                # ANALYZE 7.5 (no NIfTI magic) and anything else: our reader must refuse it clearly.
                entry.update(kind='not_nifti', reason=f'magic {magic!r} is not a NIfTI magic')
                entries.append(entry)
                continue
            # Load by magic, not by nib.load's guess, which returns e.g. a Cifti2Image for a NIfTI-2 dconn file.
            img = loader.load(f)
            entry.update(header_fields(img))
            if entry['datatype'] not in SUPPORTED:
                entry['kind'] = 'unsupported'
            else:
                try:
                    data = img.get_fdata()
                except FileNotFoundError as e:  # a .hdr whose .img is not shipped
                    entry.update(kind='header_only', reason=f'nibabel cannot read data: {type(e).__name__}')
                    entries.append(entry)
                    continue
                entry['kind'] = 'data'
                entry.update(summary(data))
            entries.append(entry)
    return entries


def test_affine():
    """A non-trivial oblique affine: rotation about two axes, anisotropic voxels, offset."""
    a, b = np.deg2rad(12.0), np.deg2rad(-7.0)
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    rz = np.array([[np.cos(b), -np.sin(b), 0], [np.sin(b), np.cos(b), 0], [0, 0, 1]])
    aff = np.eye(4)
    aff[:3, :3] = rz @ rx @ np.diag([1.5, 2.0, 2.5])
    aff[:3, 3] = [-40.25, 30.5, -12.75]
    return aff


def pattern(shape, fractional):
    """Deterministic voxel values, also generated by the Java tests: ((x*7+y*13+z*29+t*31) % 200) - 50 [+ (x+y)%8/8]."""
    idx = np.indices(shape + (1,) * (4 - len(shape)))
    x, y, z, t = idx
    v = ((x * 7 + y * 13 + z * 29 + t * 31) % 200) - 50.0
    if fractional:
        v = v + ((x + y) % 8) / 8.0
    return v.reshape(shape)


def nibabel_written():
    out = os.path.join(HERE, 'nibabel_written')
    os.makedirs(out, exist_ok=True)
    for f in glob.glob(os.path.join(out, '*')):
        os.remove(f)
    aff = test_affine()
    qaff = aff.copy()
    qaff[:3, 3] += [1.0, -2.0, 0.5]  # qform differs from sform, to catch mixing them up
    entries = []

    def save(name, img, note):
        path = os.path.join(out, name)
        img.to_filename(path)
        back = nib.load(path)
        e = {'file': name, 'note': note}
        e.update(header_fields(back))
        if e['datatype'] in SUPPORTED:
            e['kind'] = 'data'
            data = back.get_fdata()
            e.update(summary(data))
            e['values'] = [float(v) for v in np.asarray(data).reshape(-1, order='F')]
        else:
            e['kind'] = 'unsupported'
        entries.append(e)

    def header(endian='<', cls=nib.Nifti1Header):
        h = cls(endianness=endian)
        h.set_xyzt_units('mm', 'sec')
        h['descrip'] = b'DeepAnat-J golden'
        h['intent_code'] = 0
        return h

    # 7x6x5x3 int16 with scaling chosen by nibabel (slope != 1), qform and sform both set and different.
    for endian, suffix in (('<', 'le'), ('>', 'be')):
        h = header(endian)
        img = nib.Nifti1Image(pattern((7, 6, 5, 3), True) * 3.0 + 0.1, aff, h)
        img.set_data_dtype(np.int16)
        img.set_qform(qaff, code=1)
        img.set_sform(aff, code=2)
        save(f'int16_scaled_{suffix}.nii.gz', img, f'int16 + scl_slope/inter, {suffix}, gz')
    h = header('>')
    img = nib.Nifti1Image(pattern((7, 6, 5, 3), True).astype(np.float32), aff, h)
    img.set_qform(qaff, code=1)
    img.set_sform(aff, code=2)
    save('float32_be.nii', img, 'float32 big-endian uncompressed')
    img = nib.Nifti1Image(pattern((7, 6, 5), False) + 50, aff, header())
    img.set_data_dtype(np.uint8)
    img.set_qform(aff, code=1)
    img.set_sform(None, code=0)
    save('uint8_qform_only.nii.gz', img, 'uint8, qform only (sform code 0)')
    h = header('<', nib.Nifti2Header)
    img = nib.Nifti2Image(pattern((7, 6, 5, 2), True), aff, h)
    img.set_data_dtype(np.float64)
    save('float64_nifti2.nii.gz', img, 'NIfTI-2 float64')
    h = header('>', nib.Nifti2Header)
    img = nib.Nifti2Image(pattern((7, 6, 5), False).astype(np.int32) * 1000, aff, h)
    img.set_data_dtype(np.int32)
    save('int32_nifti2_be.nii', img, 'NIfTI-2 int32 big-endian')
    h = header('<', nib.Nifti1PairHeader) if hasattr(nib, 'Nifti1PairHeader') else header()
    img = nib.Nifti1Pair(pattern((7, 6, 5), False), aff, None)
    img.set_data_dtype(np.int16)
    save('pair_int16.hdr', img, '.hdr/.img pair (ni1)')
    img = nib.Nifti1Pair(pattern((7, 6, 5), True).astype(np.float32), aff, None)
    save('pair_float32.hdr.gz', img, 'gzipped .hdr.gz/.img.gz pair')
    img = nib.Nifti1Image(pattern((9, 4), False).astype(np.uint16) + 60, np.diag([0.5, 0.75, 1.0, 1.0]), None)
    img.set_data_dtype(np.uint16)
    save('uint16_2d.nii', img, '2D uint16')
    img = nib.Nifti1Image(pattern((5, 4, 3, 1), False).astype(np.int8), aff, None)
    img.set_data_dtype(np.int8)
    save('int8_trailing1.nii', img, 'int8 with a trailing dim of 1')
    img = nib.Nifti1Image((pattern((4, 3, 2), False) + 1j).astype(np.complex64), aff, None)
    save('complex64.nii', img, 'complex64: unsupported, must give a clear error')
    # Header edge cases, made by patching bytes of a plain file: nibabel's loader decides what they mean.
    flipped = aff @ np.diag([-1.0, 1.0, 1.0, 1.0])
    base = nib.Nifti1Image(pattern((5, 4, 3), False).astype(np.int16), flipped, None)
    base.set_data_dtype(np.int16)
    base.set_qform(flipped, code=1)
    base.set_sform(None, code=0)
    save('qform_qfac_neg.nii', base, 'left-handed qform only: qfac = -1')
    edits = {
        'slope0_inter5.nii': ({112: ('<f', 0.0), 116: ('<f', 5.0)}, 'scl_slope 0 means no scaling, inter ignored'),
        'slope_nan.nii': ({112: ('<f', float('nan')), 116: ('<f', 5.0)}, 'scl_slope NaN means no scaling'),
        'slope2_inter3.nii': ({112: ('<f', 2.0), 116: ('<f', -3.0)}, 'scl_slope 2, scl_inter -3'),
        'qfac0.nii': ({76: ('<f', 0.0)}, 'qfac 0 is treated as 1'),
        'neg_pixdim.nii': ({80: ('<f', -1.5)}, 'negative pixdim[1] is used as its absolute value'),
        'zero_pixdim_no_xform.nii': ({84: ('<f', 0.0), 252: ('<h', 0)}, 'no xform codes: pixdim affine, 0 voxel size as 1'),
        'bad_qform_code.nii': ({252: ('<h', 9)}, 'invalid qform code counts as 0'),
    }
    src_path = os.path.join(out, 'qform_qfac_neg.nii')
    for name, (patches, note) in edits.items():
        b = bytearray(open(src_path, 'rb').read())
        for at, (fmt, val) in patches.items():
            struct.pack_into(fmt, b, at, val)
        path = os.path.join(out, name)
        with open(path, 'wb') as f:
            f.write(b)
        back = nib.load(path)
        e = {'file': name, 'note': note, 'kind': 'data'}
        e.update(header_fields(back))
        data = back.get_fdata()
        e.update(summary(data))
        e['values'] = [float(v) for v in np.asarray(data).reshape(-1, order='F')]
        entries.append(e)
    with open(os.path.join(HERE, 'nibabel_written.json'), 'w') as f:
        json.dump(entries, f, indent=1)
    print(f'nibabel_written: {len(entries)} images')


def check_java_written():
    """Reads what DeepAnat-J's writer produced (java_written/manifest.json) with nibabel and compares."""
    d = os.path.join(HERE, 'java_written')
    with open(os.path.join(d, 'manifest.json')) as f:
        manifest = json.load(f)
    results = []
    aff = test_affine()
    for m in manifest:
        img = nib.load(os.path.join(d, m['file']))
        shape = tuple(m['shape'])
        expected = pattern(shape, m['fractional'])
        dt = m['datatype']
        if dt in ('int16', 'uint8'):
            info = np.iinfo(dt)
            expected = np.clip(np.rint(expected), info.min, info.max)
        elif dt == 'float32':
            expected = expected.astype(np.float32)
        data = img.get_fdata()
        r = {'file': m['file'],
             'nibabel_class': type(img).__name__,
             'shape_ok': img.shape == shape,
             'data_identical': bool(img.shape == shape and np.array_equal(data, expected)),
             'affine_max_abs_diff': float(np.abs(img.affine - aff).max()),
             'qform_max_abs_diff': float(np.abs(img.header.get_qform() - aff).max()),
             'datatype_ok': img.get_data_dtype().name == dt,
             'version_ok': (2 if isinstance(img.header, nib.Nifti2Header) else 1) == m['version']}
        r['ok'] = bool(r['shape_ok'] and r['data_identical'] and r['datatype_ok'] and r['version_ok']
                       and r['affine_max_abs_diff'] < 1e-5 and r['qform_max_abs_diff'] < 1e-4)
        results.append(r)
    with open(os.path.join(HERE, 'java_written_check.json'), 'w') as f:
        json.dump({'nibabel': nib.__version__, 'results': results}, f, indent=1)
    bad = [r['file'] for r in results if not r['ok']]
    print(f'java_written: {len(results)} files checked, failures: {bad}')
    return not bad


def main():
    if '--check-java-written' in sys.argv:
        sys.exit(0 if check_java_written() else 1)
    entries = packaged()
    with open(os.path.join(HERE, 'packaged.json'), 'w') as f:
        json.dump({'nibabel': nib.__version__, 'roots': ROOTS, 'entries': entries}, f, indent=1)
    kinds = {}
    for e in entries:
        kinds[e['kind']] = kinds.get(e['kind'], 0) + 1
    print(f'packaged: {kinds}')
    nibabel_written()


if __name__ == '__main__':
    main()
