"""Real attention heads: reading queries and keys from arrays, fitting the local law of each head's scores near their
top, predicting each head's regime and what a longer context does to it, and observing the real attention
(docs/heads.md; the estimators: docs/heads_estimators.md).

- ``arrays``: reading q and k from .npy, .npz and .safetensors files, shapes, logits, causal masks;
- ``estimators``: the local exponent and constant of the gap law, the extreme-value index, the choice of k;
- ``predict``: lambda, the regime and the Poisson-limit functionals at the fitted law, under a temperature rule;
- ``observe``: the real attention's largest weight, sum of squares, entropy and Kish effective n;
- ``analysis``: one head's fit, prediction, observation and verdict, and the table of all heads.
"""
