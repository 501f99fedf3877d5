"""The text family as the pipeline sees it: data, models, training, scores and figures."""
