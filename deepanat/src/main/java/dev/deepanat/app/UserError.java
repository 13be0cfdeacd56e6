package dev.deepanat.app;

/**
 * An error caused by what the user gave us (a missing file, a corrupt header, mismatched shapes).
 * The CLI prints its message as one line and exits with status 2; the message must name the file and the problem.
 */
public class UserError extends RuntimeException {
    public UserError(String message) { super(message); }
    public UserError(String message, Throwable cause) { super(message, cause); }
}
