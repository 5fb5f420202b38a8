package io.streamnet.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A Markdown document built section by section; tables are pipe tables, images relative links. */
public final class MarkdownReport {
    private final StringBuilder md = new StringBuilder();

    public MarkdownReport heading(int level, String text) {
        md.append("#".repeat(level)).append(' ').append(text).append("\n\n");
        return this;
    }

    public MarkdownReport paragraph(String text) {
        md.append(text).append("\n\n");
        return this;
    }

    public MarkdownReport table(List<String> header, List<List<String>> rows) {
        md.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int i = 0; i < header.size(); i++) {
            md.append("---|");
        }
        md.append('\n');
        for (List<String> r : rows) {
            md.append("| ").append(String.join(" | ", r.stream().map(MarkdownReport::cell).toList())).append(" |\n");
        }
        md.append('\n');
        return this;
    }

    /** An image next to the report ({@code file} is a name in the report's directory). */
    public MarkdownReport image(String alt, String file) {
        md.append("![").append(alt).append("](").append(file).append(")\n\n");
        return this;
    }

    public String text() {
        return md.toString();
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
