package io.streamnet.bench;

/** The versions of the peers found on this machine, for the report's text. */
final class PeerVersions {
    private PeerVersions() {
    }

    static String torch() {
        return python("import torch; print(torch.__version__)");
    }

    static String numpy() {
        return python("import numpy; print(numpy.__version__)");
    }

    private static String python(String code) {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", code).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 && !out.isEmpty() ? out : "not found";
        } catch (java.io.IOException e) {
            return "not found";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not found";
        }
    }
}
