package dev.deepanat.kernels.cuda;

import java.lang.invoke.MethodHandle;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** The functions of one opened library, each {@link Fn} bound once to its {@link MethodHandle}. */
abstract class Bound {
    final CudaLibraries.Library lib;
    private final Map<Fn, MethodHandle> handles = new IdentityHashMap<>();

    Bound(CudaLibraries.Library lib, List<Fn> functions) {
        this.lib = lib;
        for (Fn f : functions) handles.put(f, f.bind(lib.symbols(), lib.what() + " (" + lib.file() + ")"));
    }

    /** Calls a function and returns what it returns (a status, a version, a string pointer). */
    final Object invoke(Fn f, Object... args) {
        MethodHandle h = handles.get(f);
        if (h == null) throw new IllegalStateException(f.symbol() + " is not bound in " + lib.what());
        try {
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException(f.symbol() + ": " + t, t);
        }
    }

    /** Calls a function returning a status code. */
    final int raw(Fn f, Object... args) {
        return (int) invoke(f, args);
    }

    /** The library's own description of a status ("CUDNN_STATUS_BAD_PARAM ..."). */
    abstract String errorText(int status);

    /** Calls a function; a status other than 0 is a {@link CudaException} naming the call and the library's error. */
    final void call(Fn f, Object... args) {
        int r = raw(f, args);
        if (r != 0) throw new CudaException(f.symbol() + " failed: " + errorText(r));
    }

    static String cString(java.lang.foreign.MemorySegment p) {
        return p.equals(java.lang.foreign.MemorySegment.NULL) ? "(null)" : p.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
