package io.streamnet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs a peer's Python script shipped in this jar and returns its output lines (empty if it cannot run). */
final class PeerProcess {
    private PeerProcess() {
    }

    static List<String> runPython(String resource, List<String> args, Map<String, String> env) {
        return runPython("python3", resource, args, env);
    }

    static List<String> runPython(String interpreter, String resource, List<String> args, Map<String, String> env) {
        try {
            Path script = Files.createTempFile("streamnet-bench-", ".py");
            try (InputStream in = PeerProcess.class.getResourceAsStream("/" + resource)) {
                if (in == null) {
                    throw new IOException("resource " + resource + " missing from the benchmarks jar");
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            List<String> cmd = new ArrayList<>(List.of(interpreter, script.toString()));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            // OpenBLAS core-type overrides slow a current numpy; unset them for this peer run only.
            pb.environment().remove("OPENBLAS_CORETYPE");
            pb.environment().remove("OPENBLAS_L2_SIZE");
            pb.environment().putAll(env);
            Process p = pb.start();
            List<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            }
            int exit = p.waitFor();
            Files.deleteIfExists(script);
            if (exit != 0) {
                System.err.println("peer " + resource + " exited " + exit + ": " + String.join("\n", lines));
                return List.of();
            }
            return lines;
        } catch (IOException e) {
            System.err.println("peer " + resource + " could not run: " + e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
