package io.streamnet.serving.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Schedules a batch of keyed work into rounds of distinct keys, so that each round is ONE batched
 * step over many keys and every key's work keeps its order: a key seen twice takes two rounds, and
 * an item of n steps (a text of n tokens) takes n. Keys appear in each round in the order they
 * were first seen. An item that needs no step (an end marker without input) is handed to the
 * caller when it reaches the head of its key's queue, between rounds, in order.
 *
 * <p>Use: {@link #add} the batch, then {@code for (Round r; (r = next(...)) != null; )} run each round.
 *
 * @param <T> the keyed work
 */
public final class KeyRounds<T> {
    private final ToIntFunction<T> steps;
    private final Map<String, Queue<T>> queues = new LinkedHashMap<>();
    /** Emptied queues, reused: a runtime that schedules one record at a time allocates none per record. */
    private final ArrayDeque<Queue<T>> spare = new ArrayDeque<>();
    private final Round<T> round;

    /** One key's pending items, and how many steps the head has taken. */
    private static final class Queue<T> {
        final ArrayDeque<T> items = new ArrayDeque<>(2);
        int taken;
    }

    /** A reused view of one round: its items, and which step of each one it runs. */
    public static final class Round<T> {
        private final List<T> items;
        private final List<Queue<T>> queues;
        private int[] step;
        private int[] of;

        private Round(int capacity) {
            items = new ArrayList<>(capacity);
            queues = new ArrayList<>(capacity);
            step = new int[capacity];
            of = new int[capacity];
        }

        public int size() {
            return items.size();
        }

        public T item(int i) {
            return items.get(i);
        }

        /** Which step of its item row {@code i} runs (0-based). */
        public int step(int i) {
            return step[i];
        }

        /** Whether row {@code i} runs its item's last step. */
        public boolean last(int i) {
            return step[i] == of[i] - 1;
        }

        private void add(Queue<T> q, int n) {
            int i = items.size();
            if (i == step.length) {
                step = Arrays.copyOf(step, 2 * i);
                of = Arrays.copyOf(of, 2 * i);
            }
            items.add(q.items.peek());
            queues.add(q);
            step[i] = q.taken;
            of[i] = n;
        }

        private void clear() {
            items.clear();
            queues.clear();
        }
    }

    /**
     * @param steps    how many steps an item needs (0: none, see the class comment)
     * @param capacity the expected largest round (a hint: rounds grow as needed)
     */
    public KeyRounds(ToIntFunction<T> steps, int capacity) {
        this.steps = steps;
        this.round = new Round<>(Math.max(1, capacity));
    }

    public void add(String key, T item) {
        Queue<T> q = queues.get(key);
        if (q == null) {
            q = spare.isEmpty() ? new Queue<>() : spare.pop();
            queues.put(key, q);
        }
        q.items.add(item);
    }

    /**
     * The next round, after advancing every item of the previous one by its step; items needing no
     * step that reach a head go to {@code noStep} first. Returns null when all work is done.
     */
    public Round<T> next(Consumer<T> noStep) {
        for (int i = 0; i < round.size(); i++) {
            Queue<T> q = round.queues.get(i);
            if (++q.taken >= round.of[i]) {
                q.items.poll();
                q.taken = 0;
            }
        }
        round.clear();
        for (Iterator<Queue<T>> it = queues.values().iterator(); it.hasNext(); ) {
            Queue<T> q = it.next();
            while (!q.items.isEmpty() && steps.applyAsInt(q.items.peek()) == 0) {
                noStep.accept(q.items.poll());
            }
            if (q.items.isEmpty()) {
                it.remove();
                spare.push(q);
            } else {
                round.add(q, steps.applyAsInt(q.items.peek()));
            }
        }
        return round.size() == 0 ? null : round;
    }
}
