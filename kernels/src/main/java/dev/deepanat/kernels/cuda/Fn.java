package dev.deepanat.kernels.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * One native function: its exported symbol, its C prototype (as the vendor's header declares it) and the
 * {@link FunctionDescriptor} that binds it. The binding classes declare one {@code Fn} constant per function and bind
 * them to one {@link MethodHandle} each when their library is loaded; {@code CudaPrototypeTest} checks the constants
 * of the driver against {@code cuda.h}.
 */
record Fn(String symbol, String prototype, FunctionDescriptor descriptor) {
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
    static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE;
    static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    /** A function returning a status (int) and taking the given arguments. */
    static Fn status(String symbol, String prototype, MemoryLayout... args) {
        return new Fn(symbol, prototype, FunctionDescriptor.of(INT, args));
    }

    static Fn of(String symbol, String prototype, MemoryLayout ret, MemoryLayout... args) {
        return new Fn(symbol, prototype, FunctionDescriptor.of(ret, args));
    }

    /** The downcall handle of this function in {@code lib}; a missing symbol names the function and its library. */
    MethodHandle bind(SymbolLookup lib, String library) {
        return Linker.nativeLinker().downcallHandle(lib.find(symbol)
                .orElseThrow(() -> new CudaException(library + " has no function " + symbol + " (" + prototype + ")")), descriptor);
    }
}
