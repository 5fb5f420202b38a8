package io.streamnet.cli;

import picocli.CommandLine;

/** Reports the version from the jar manifest, or "dev" when run from classes. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = StreamnetCommand.class.getPackage().getImplementationVersion();
        return new String[] {"streamnet " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
}
