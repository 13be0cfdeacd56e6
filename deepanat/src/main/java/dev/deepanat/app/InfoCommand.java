package dev.deepanat.app;

import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiHeader;
import dev.deepanat.nifti.NiftiHeaderFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code deepanat info FILE}: prints a NIfTI header, in the spirit of fslhd. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the header of a NIfTI-1/NIfTI-2 file (.nii, .nii.gz, .hdr/.img).")
public final class InfoCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the image to describe")
    Path file;

    @Option(names = "--header-only", description = "read only the header; do not check that all voxel data is present")
    boolean headerOnly;

    @Override
    public Integer call() {
        NiftiHeader h = Nifti.readHeader(file);
        // A header alone can look fine on a truncated or corrupt file; stream through the data (nothing is kept)
        // so that info fails on such a file instead of vouching for it.
        long bytes = headerOnly ? -1 : Nifti.verifyData(file);
        String text = NiftiHeaderFormat.format(file, h);
        if (bytes >= 0) text += String.format("%-15s %s%n", "data_check", "ok (" + bytes + " bytes of voxel data present)");
        spec.commandLine().getOut().print(text);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
