"""The text family as serving sees it: the predictor, the request types, the app widgets."""
