package dev.deepanat.common;

/**
 * An error caused by what the user gave us (a missing file, a corrupt header, mismatched shapes).
 * Thrown by library code below the CLI; the CLI prints its message as one line and exits with status 2.
 * The message must name the file and the problem.
 */
public class UserError extends RuntimeException {
    public UserError(String message) { super(message); }
    public UserError(String message, Throwable cause) { super(message, cause); }
}
