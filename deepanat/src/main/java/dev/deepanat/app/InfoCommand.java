package dev.deepanat.app;

import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiHeader;
import dev.deepanat.nifti.NiftiHeaderFormat;
import picocli.CommandLine.Command;
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

    @Override
    public Integer call() {
        NiftiHeader h = Nifti.readHeader(file);
        spec.commandLine().getOut().print(NiftiHeaderFormat.format(file, h));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
