package io.streamnet.bench.report;

/** One part of the report: runs its comparison and writes its tables and plots. */
public interface Section {
    /** The name on the command line ({@code --sections pipeline,kernels}). */
    String name();

    void run(Context ctx) throws Exception;

    /**
     * Where a section writes: the report (null in quick mode, whose figures are not warmed up and
     * never enter it), the directory for its plots, and the log.
     */
    record Context(MarkdownReport report, java.nio.file.Path plotDir, boolean quick,
                   java.util.function.Consumer<String> log) {
        /** Quick mode labels its printed figures so that nobody quotes them. */
        public String label(String figure) {
            return quick ? figure + " (not warmed up)" : figure;
        }
    }
}
