"""The offline sentiment model's training and evaluation on the labelled financial sets.

``python -m evals.sentiment.train`` fits the MiniLM head that ships in ``quant/sentiment``
(``minilm_head.json`` and its ``MODEL_CARD.md``); ``python -m evals.sentiment.evaluate`` prints
accuracy and macro-F1 of the head, the lexicon and the majority class, per set and cross-set.
The data stay in ``../shared/data``; nothing here runs without them.
"""
