package dev.deepanat.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static dev.deepanat.kernels.cuda.Fn.INT;
import static dev.deepanat.kernels.cuda.Fn.LONG;
import static dev.deepanat.kernels.cuda.Fn.PTR;

/**
 * NVRTC ({@code libnvrtc.so.13}): CUDA C source to CUBIN for one real architecture ({@code sm_90}). CUBIN, not PTX:
 * PTX from an NVRTC newer than the driver can be refused by it. A failed compilation is a {@link CudaException} that
 * carries NVRTC's log.
 */
final class Nvrtc extends Bound {
    /** nvrtcResult nvrtcVersion(int *major, int *minor); */
    static final Fn nvrtcVersion = Fn.status("nvrtcVersion", "nvrtcResult nvrtcVersion(int *major, int *minor)", PTR, PTR);
    /** const char *nvrtcGetErrorString(nvrtcResult result); */
    static final Fn nvrtcGetErrorString = Fn.of("nvrtcGetErrorString", "const char *nvrtcGetErrorString(nvrtcResult result)", PTR, INT);
    /** nvrtcResult nvrtcGetNumSupportedArchs(int *numArchs); */
    static final Fn nvrtcGetNumSupportedArchs = Fn.status("nvrtcGetNumSupportedArchs", "nvrtcResult nvrtcGetNumSupportedArchs(int *numArchs)", PTR);
    /** nvrtcResult nvrtcGetSupportedArchs(int *supportedArchs); */
    static final Fn nvrtcGetSupportedArchs = Fn.status("nvrtcGetSupportedArchs", "nvrtcResult nvrtcGetSupportedArchs(int *supportedArchs)", PTR);
    /**
     * nvrtcResult nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders,
     * const char * const *headers, const char * const *includeNames);
     */
    static final Fn nvrtcCreateProgram = Fn.status("nvrtcCreateProgram",
            "nvrtcResult nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders, "
                    + "const char * const *headers, const char * const *includeNames)", PTR, PTR, PTR, INT, PTR, PTR);
    /** nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char * const *options); */
    static final Fn nvrtcCompileProgram = Fn.status("nvrtcCompileProgram",
            "nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char * const *options)", PTR, INT, PTR);
    /** nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, size_t *logSizeRet); */
    static final Fn nvrtcGetProgramLogSize = Fn.status("nvrtcGetProgramLogSize", "nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, size_t *logSizeRet)", PTR, PTR);
    /** nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char *log); */
    static final Fn nvrtcGetProgramLog = Fn.status("nvrtcGetProgramLog", "nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char *log)", PTR, PTR);
    /** nvrtcResult nvrtcGetCUBINSize(nvrtcProgram prog, size_t *cubinSizeRet); */
    static final Fn nvrtcGetCUBINSize = Fn.status("nvrtcGetCUBINSize", "nvrtcResult nvrtcGetCUBINSize(nvrtcProgram prog, size_t *cubinSizeRet)", PTR, PTR);
    /** nvrtcResult nvrtcGetCUBIN(nvrtcProgram prog, char *cubin); */
    static final Fn nvrtcGetCUBIN = Fn.status("nvrtcGetCUBIN", "nvrtcResult nvrtcGetCUBIN(nvrtcProgram prog, char *cubin)", PTR, PTR);
    /** nvrtcResult nvrtcDestroyProgram(nvrtcProgram *prog); */
    static final Fn nvrtcDestroyProgram = Fn.status("nvrtcDestroyProgram", "nvrtcResult nvrtcDestroyProgram(nvrtcProgram *prog)", PTR);

    static final List<Fn> ALL = List.of(nvrtcVersion, nvrtcGetErrorString, nvrtcGetNumSupportedArchs, nvrtcGetSupportedArchs,
            nvrtcCreateProgram, nvrtcCompileProgram, nvrtcGetProgramLogSize, nvrtcGetProgramLog, nvrtcGetCUBINSize,
            nvrtcGetCUBIN, nvrtcDestroyProgram);

    Nvrtc(CudaLibraries.Library lib) {
        super(lib, ALL);
    }

    @Override
    String errorText(int status) {
        return cString((MemorySegment) invoke(nvrtcGetErrorString, status));
    }

    /** "13.1". */
    String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(INT), minor = a.allocate(INT);
            call(nvrtcVersion, major, minor);
            return major.get(INT, 0) + "." + minor.get(INT, 0);
        }
    }

    /** The compute capabilities NVRTC can compile for, e.g. [75, 80, ..., 90, 100, ...]. */
    int[] supportedArchs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(INT);
            call(nvrtcGetNumSupportedArchs, n);
            MemorySegment archs = a.allocate(INT, Math.max(1, n.get(INT, 0)));
            call(nvrtcGetSupportedArchs, archs);
            return archs.asSlice(0, 4L * n.get(INT, 0)).toArray(ValueLayout.JAVA_INT);
        }
    }

    /**
     * The architecture to compile a CUBIN for on a device of compute capability {@code cc} (10 · major + minor): cc
     * itself when NVRTC knows it, else the newest it knows of the same major and no higher minor (a CUBIN runs on later
     * minors of its major: sm_120 on an sm_121 device), else -1.
     */
    static int cubinArch(int cc, int[] supported) {
        int best = -1;
        for (int s : supported) {
            if (s == cc) return cc;
            if (s / 10 == cc / 10 && s < cc && s > best) best = s;
        }
        return best;
    }

    /** Compiles {@code source} to a CUBIN for {@code sm_<cc>} (cc = 10 · major + minor) with extra options. */
    byte[] compileCubin(String source, String name, int cc, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(PTR);
            call(nvrtcCreateProgram, prog, a.allocateFrom(source), a.allocateFrom(name), 0, MemorySegment.NULL, MemorySegment.NULL);
            MemorySegment p = prog.get(PTR, 0);
            try {
                List<String> opts = new java.util.ArrayList<>();
                opts.add("--gpu-architecture=sm_" + cc);
                opts.addAll(options);
                MemorySegment argv = a.allocate(PTR, opts.size());
                for (int i = 0; i < opts.size(); i++) argv.setAtIndex(PTR, i, a.allocateFrom(opts.get(i)));
                int r = raw(nvrtcCompileProgram, p, opts.size(), argv);
                if (r != 0)
                    throw new CudaException("nvrtcCompileProgram of " + name + " for sm_" + cc + " failed: " + errorText(r)
                            + "\n" + log(a, p));
                MemorySegment size = a.allocate(LONG);
                call(nvrtcGetCUBINSize, p, size);
                MemorySegment cubin = a.allocate(Math.max(1, size.get(LONG, 0)));
                call(nvrtcGetCUBIN, p, cubin);
                return cubin.asSlice(0, size.get(LONG, 0)).toArray(ValueLayout.JAVA_BYTE);
            } finally {
                call(nvrtcDestroyProgram, prog);
            }
        }
    }

    private String log(Arena a, MemorySegment p) {
        MemorySegment size = a.allocate(LONG);
        if (raw(nvrtcGetProgramLogSize, p, size) != 0) return "(no log)";
        MemorySegment log = a.allocate(Math.max(1, size.get(LONG, 0)));
        if (raw(nvrtcGetProgramLog, p, log) != 0) return "(no log)";
        return log.getString(0);
    }
}
