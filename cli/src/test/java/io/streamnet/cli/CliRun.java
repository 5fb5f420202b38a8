package io.streamnet.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the streamnet command in-process as a user would, capturing what it prints. */
record CliRun(int exit, String out, String err) {
    static CliRun of(String... args) {
        PrintStream old = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errBuf, true, StandardCharsets.UTF_8));
        try {
            int exit = StreamnetCommand.commandLine().execute(args);
            return new CliRun(exit, buf.toString(StandardCharsets.UTF_8), errBuf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
            System.setErr(oldErr);
        }
    }

    /** The output of a run that must succeed. */
    static String ok(String... args) {
        CliRun r = of(args);
        if (r.exit() != 0) {
            throw new AssertionError("exit code " + r.exit() + " of " + String.join(" ", args) + ":\n" + r.out() + r.err());
        }
        return r.out();
    }
}
