package io.streamnet.datasets;

import org.junit.jupiter.api.Assumptions;

/**
 * For tests that need a real dataset: the data if some source has them, else the test is skipped
 * with the locator's reason printed (a clean clone on a machine without network has no data, and
 * that is not a failure of the code under test).
 */
public final class DatasetAssumptions {
    private DatasetAssumptions() {
    }

    /** Something that finds a dataset and may find none. */
    @FunctionalInterface
    public interface Lookup<T> {
        T find() throws DatasetUnavailableException;
    }

    public static <T> T assumeAvailable(Lookup<T> lookup) {
        try {
            return lookup.find();
        } catch (DatasetUnavailableException e) {
            System.out.println("SKIPPED (no data): " + e.getMessage());
            return Assumptions.abort("dataset unavailable: " + e.getMessage());
        }
    }
}
