package io.streamnet.training;

import java.io.Serializable;

/**
 * When the model owner publishes and what it lets out.
 *
 * @param gradientsPerUpdate a candidate every this many applied gradients (or sooner, on the runtime's timer)
 * @param heldOutCapacity    newest held-out sequences kept to score candidates on
 * @param minHeldOut         below this many, candidates are promoted unscored (the slice is still filling)
 * @param promotionMargin    a candidate is promoted if its score >= the serving one's minus this
 * @param rollbackWindow     held-out sequences after a promotion that its live score is judged on
 * @param rollbackMargin     the promoted model is rolled back if, on those, it scores below its parent minus this
 */
public record OwnerPolicy(int gradientsPerUpdate, int heldOutCapacity, int minHeldOut, double promotionMargin,
                          int rollbackWindow, double rollbackMargin) implements Serializable {
    public OwnerPolicy {
        if (gradientsPerUpdate < 1 || heldOutCapacity < 1 || minHeldOut < 0 || rollbackWindow < 1
                || !(promotionMargin >= 0) || !(rollbackMargin >= 0)) {
            throw new IllegalArgumentException("owner policy needs gradients per update, held-out capacity and "
                    + "rollback window >= 1, min held-out and margins >= 0: " + this);
        }
    }

    /** Every {@code n} gradients, promoted unscored: no held-out slice. */
    public static OwnerPolicy unchallenged(int n) {
        return new OwnerPolicy(n, 1, Integer.MAX_VALUE, 0, Integer.MAX_VALUE, 0);
    }
}
