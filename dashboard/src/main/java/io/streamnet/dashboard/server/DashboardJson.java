package io.streamnet.dashboard.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;

/**
 * The JSON the pages receive. A number that is not finite (a NaN metric in a model update, a NaN
 * probability) is written as {@code null}: JSON has no NaN, and Jackson's default, the string
 * {@code "NaN"}, puts a string where a page expects a number.
 */
public final class DashboardJson {
    private DashboardJson() {
    }

    public static ObjectMapper mapper() {
        SimpleModule finite = new SimpleModule("finite-numbers");
        JsonSerializer<Double> doubles = new JsonSerializer<>() {
            @Override
            public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
                if (Double.isFinite(v)) {
                    g.writeNumber(v);
                } else {
                    g.writeNull();
                }
            }
        };
        JsonSerializer<Float> floats = new JsonSerializer<>() {
            @Override
            public void serialize(Float v, JsonGenerator g, SerializerProvider p) throws IOException {
                if (Float.isFinite(v)) {
                    g.writeNumber(v);
                } else {
                    g.writeNull();
                }
            }
        };
        finite.addSerializer(Double.class, doubles);
        finite.addSerializer(Double.TYPE, doubles);
        finite.addSerializer(Float.class, floats);
        finite.addSerializer(Float.TYPE, floats);
        return new ObjectMapper().registerModule(finite);
    }
}
