"""Features-only Bayes accuracy for any number of classes, against the Bayes classifier run on
gnnrg's own features."""

import numpy as np
import pytest

from gnnrg import csbm
from gnnrg.theory import features_only_accuracy


@pytest.mark.parametrize(("classes", "mu"), [(2, 0.6), (3, 1.0), (5, 1.5), (7, 0.8)])
def test_bayes_classifier_on_generated_features_matches(classes, mu):
    """10 graphs of n = 3000 (λ = 0, σ = 1.3): the classifier argmax_c x·m_c − |m_c|²μ/2 with
    the generator's class means reaches the formula within 4 SE over graphs."""
    sigma, accs = 1.3, []
    for s in range(10):
        g = csbm(3000, classes=classes, lam=0.0, mu=mu, sigma=sigma, seed=s)
        means = mu * g.class_means.numpy()
        scores = g.x.numpy() @ means.T - 0.5 * (means**2).sum(1)
        accs.append(np.mean(scores.argmax(1) == g.y.numpy()))
    theory = float(features_only_accuracy(mu, sigma, classes=classes))
    se = np.std(accs, ddof=1) / np.sqrt(len(accs))
    assert abs(np.mean(accs) - theory) <= 4 * se, (np.mean(accs), theory, se)


def test_limits_and_errors():
    for k in (3, 5, 7):
        assert float(features_only_accuracy(0.0, classes=k)) == pytest.approx(1 / k, abs=1e-12)
        assert float(features_only_accuracy(12.0, classes=k)) == pytest.approx(1.0, abs=1e-12)
        acc = features_only_accuracy(np.linspace(0, 3, 31), classes=k)
        assert np.all(np.diff(acc) > 0)
    # more classes, harder at the same μ
    assert features_only_accuracy(1.0, classes=3) > features_only_accuracy(1.0, classes=5)
    with pytest.raises(ValueError, match="classes=1 must be an integer >= 2"):
        features_only_accuracy(1.0, classes=1)
    with pytest.raises(ValueError, match="sigma=0 must be a finite number > 0"):
        features_only_accuracy(1.0, 0)
    with pytest.raises(ValueError, match="mu must be finite and >= 0"):
        features_only_accuracy(-1.0)
