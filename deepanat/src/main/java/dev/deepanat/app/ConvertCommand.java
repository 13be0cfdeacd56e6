package dev.deepanat.app;

import dev.deepanat.common.UserError;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiDatatype;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.nifti.NiftiWriteOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code deepanat convert IN OUT}: rewrites a volume (scaling applied, geometry kept), e.g. .hdr/.img to .nii.gz. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Rewrite a NIfTI volume: scaling applied on read, geometry kept, output written atomically.")
public final class ConvertCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "input .nii, .nii.gz or .hdr/.img")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "output .nii or .nii.gz")
    Path out;

    @Option(names = "--datatype", paramLabel = "TYPE", defaultValue = "float32",
            description = "on-disk type: uint8, int8, int16, uint16, int32, uint32, int64, float32, float64 (default ${DEFAULT-VALUE}); integers are rounded and clamped")
    String datatype;

    @Option(names = "--nifti2", description = "write a NIfTI-2 header (64-bit dims) instead of NIfTI-1")
    boolean nifti2;

    @Option(names = "--gzip-level", paramLabel = "N", defaultValue = "" + NiftiWriteOptions.DEFAULT_GZIP_LEVEL,
            description = "deflate level 1..9 for .nii.gz (default ${DEFAULT-VALUE})")
    int gzipLevel;

    @Override
    public Integer call() {
        NiftiDatatype type = NiftiDatatype.fromName(datatype);
        if (type == null) throw new UserError("--datatype " + datatype + ": unknown type (use uint8, int8, int16, uint16, int32, uint32, int64, float32 or float64)");
        if (gzipLevel < 1 || gzipLevel > 9) throw new UserError("--gzip-level " + gzipLevel + ": must be 1..9");
        NiftiImage image = Nifti.read(in);
        Nifti.write(out, image, new NiftiWriteOptions(type, nifti2 ? 2 : 1, gzipLevel));
        return 0;
    }
}
