package dev.deepanat.report;

import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiDatatype;
import dev.deepanat.nifti.NiftiImage;

/**
 * One volume of the report's viewer: a gzipped NIfTI in memory, stored as uint8 with scl_slope/scl_inter so that the
 * viewer reads back the original units to within 1/255 of the range, plus the grey window it opens with. uint8 rather
 * than int16 because the page is for looking: it halves what a subject costs (docs/report.md gives the sizes).
 */
public record ViewerVolume(String name, byte[] niftiGz, String colormap, double calMin, double calMax) {
    public static final NiftiDatatype STORED_AS = NiftiDatatype.UINT8;

    /**
     * @param geometry the image whose header (grid, affine) the volume takes
     * @param window the display range (e.g. the 1st..99th percentile in the mask)
     */
    public static ViewerVolume of(String name, NiftiImage geometry, float[] data, Montage.Window window, String colormap) {
        NiftiImage img = NiftiImage.of(geometry.header(), new int[] {geometry.nx(), geometry.ny(), geometry.nz()}, data);
        return new ViewerVolume(name, Nifti.encodeScaled(img, STORED_AS, 6), colormap, window.lo(), window.hi());
    }
}
