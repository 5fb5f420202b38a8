package io.streamnet.engine.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * One host array's device copy inside a {@link CudaResidency}, and which of its elements are
 * current where: {@code valid} is the range the device holds current values of, {@code dirty} the
 * part of it the device wrote and the host has not seen. Both are single ranges [lo, hi) (a hull:
 * dirty may cover clean elements, which download as the values the host already has); dirty stays
 * inside valid, so uploading anything outside valid never overwrites a device result.
 */
final class Mirror {
    /** The copies a mirror asks for; ranges are element indices of the host array. */
    interface Copier {
        void upload(Mirror m, int from, int to);

        void download(Mirror m, int from, int to);
    }

    final float[] host;
    final boolean constant;
    CUdeviceptr device;
    /** The last run that touched this mirror (eviction of mirrors a step stopped using). */
    long lastRun;
    private int validLo;
    private int validHi;
    private int dirtyLo;
    private int dirtyHi;

    Mirror(float[] host, boolean constant) {
        this.host = host;
        this.constant = constant;
    }

    /** The device is about to read [lo, hi): upload what of it (and of any gap to valid) it lacks. */
    void read(int lo, int hi, Copier c) {
        extendValid(lo, hi, true, c);
    }

    /** The device is about to overwrite [lo, hi): nothing to upload there, and it becomes dirty. */
    void write(int lo, int hi, Copier c) {
        extendValid(lo, hi, false, c);
        wrote(lo, hi);
    }

    /** The device wrote [lo, hi), which it had read first (an in-place operation). */
    void wrote(int lo, int hi) {
        if (lo >= hi) {
            return;
        }
        if (dirtyLo >= dirtyHi) {
            dirtyLo = lo;
            dirtyHi = hi;
        } else {
            dirtyLo = Math.min(dirtyLo, lo);
            dirtyHi = Math.max(dirtyHi, hi);
        }
    }

    /** The host is about to read [lo, hi) (a CPU operation, or the run's result): download the device's writes there. */
    void hostRead(int lo, int hi, Copier c) {
        int from = Math.max(lo, dirtyLo);
        int to = Math.min(hi, dirtyHi);
        if (from >= to) {
            return;
        }
        c.download(this, from, to);
        if (from == dirtyLo) {
            dirtyLo = to;
        } else if (to == dirtyHi) {
            dirtyHi = from;
        }
        // a hole in the middle stays in the hull: downloading it again later is harmless
    }

    /** The host wrote [lo, hi): the device's copy there is stale. */
    void hostWrote(int lo, int hi, Copier c) {
        if (lo >= hi || hi <= validLo || lo >= validHi) {
            return;
        }
        int leftLo = validLo;
        int leftHi = Math.min(lo, validHi);
        int rightLo = Math.max(hi, validLo);
        int rightHi = validHi;
        boolean left = leftLo < leftHi;
        boolean right = rightLo < rightHi;
        if (left && right) {
            // one range cannot hold both sides: keep the larger, bring the other's device writes home first
            if (leftHi - leftLo >= rightHi - rightLo) {
                hostRead(rightLo, rightHi, c);
                right = false;
            } else {
                hostRead(leftLo, leftHi, c);
                left = false;
            }
        }
        if (left) {
            validHi = leftHi;
        } else if (right) {
            validLo = rightLo;
        } else {
            validLo = validHi = 0;
        }
        dirtyLo = Math.max(dirtyLo, validLo);
        dirtyHi = Math.min(dirtyHi, validHi);
        if (dirtyLo >= dirtyHi) {
            dirtyLo = dirtyHi = 0;
        }
    }

    /**
     * The run is over: the host is authoritative for the next one (it loads new states and inputs),
     * except for a constant the device never wrote, which stays where it is.
     */
    void endRun() {
        if (!constant || dirtyLo < dirtyHi) {
            validLo = validHi = 0;
        }
        dirtyLo = dirtyHi = 0;
    }

    boolean deviceHolds(int lo, int hi) {
        return lo >= hi || (lo >= validLo && hi <= validHi);
    }

    boolean dirtyAt(int i) {
        return i >= dirtyLo && i < dirtyHi;
    }

    private void extendValid(int lo, int hi, boolean uploadIt, Copier c) {
        if (lo >= hi) {
            return;
        }
        if (validLo >= validHi) {
            if (uploadIt) {
                c.upload(this, lo, hi);
            }
            validLo = lo;
            validHi = hi;
            return;
        }
        int newLo = Math.min(lo, validLo);
        int newHi = Math.max(hi, validHi);
        // what lies outside valid: the range itself (uploaded when read, not when overwritten) and the gap to valid
        if (lo < validLo) {
            if (uploadIt) {
                c.upload(this, lo, validLo);
            } else if (hi < validLo) {
                c.upload(this, hi, validLo);
            }
        }
        if (hi > validHi) {
            if (uploadIt) {
                c.upload(this, validHi, hi);
            } else if (lo > validHi) {
                c.upload(this, validHi, lo);
            }
        }
        validLo = newLo;
        validHi = newHi;
    }
}
