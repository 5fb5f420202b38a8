package io.streamnet.flink.job;

import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.reject.InputLimits;
import java.io.Serializable;
import java.time.Duration;

/**
 * What every input record and key is held to before anything is sized from it.
 *
 * @param maxRecordBytes   largest raw input record
 * @param input            keys, event times, texts, features, frames
 * @param maxStepsPerEvent most input steps (tokens) one event may carry (sequence and training jobs)
 * @param stateTtl         idle keys' state expires after this (null: kept)
 * @param order            whether a key's events must come in increasing seq or frame number (DUPLICATE, OUT_OF_ORDER)
 */
public record LimitsPart(int maxRecordBytes, InputLimits input, int maxStepsPerEvent, Duration stateTtl,
                         EventOrder order) implements Serializable {
}
