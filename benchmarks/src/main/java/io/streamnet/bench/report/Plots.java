package io.streamnet.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's PNG charts (JFreeChart, headless): lines over a size axis, and latency CDFs. */
public final class Plots {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** One line per series through its (x, y) points; a log x axis for sizes that grow by factors. */
    public static void lines(Path png, String title, String xLabel, String yLabel, Map<String, double[][]> series,
                             boolean logX) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey());
            for (double[] p : e.getValue()) {
                s.add(p[0], p[1]);
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        if (logX) {
            LogAxis axis = new LogAxis(xLabel);
            axis.setBase(2);
            axis.setSmallestValue(0.5);
            // ticks at whole powers of two, labelled with their values (1, 2, 4 ... not 2^0.5)
            axis.setStandardTickUnits(org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
            axis.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
            plot.setDomainAxis(axis);
        }
        style(plot, true);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    /** The empirical CDF of each series' latencies (ms). */
    public static void cdf(Path png, String title, Map<String, long[]> latenciesMs) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, long[]> e : latenciesMs.entrySet()) {
            long[] v = e.getValue().clone();
            Arrays.sort(v);
            XYSeries s = new XYSeries(e.getKey());
            // at most ~400 points per line: every k-th order statistic
            int step = Math.max(1, v.length / 400);
            for (int i = 0; i < v.length; i += step) {
                s.add(v[i], (i + 1) / (double) v.length);
            }
            if (v.length > 0) {
                s.add(v[v.length - 1], 1.0);
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "latency (ms)", "fraction of predictions", data,
                PlotOrientation.VERTICAL, true, false, false);
        style(chart.getXYPlot(), false);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    private static void style(XYPlot plot, boolean shapes) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, shapes);
        for (int i = 0; i < plot.getDataset().getSeriesCount(); i++) {
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
    }
}
