"""Short texts and their labels, learnt from TF-IDF up to a fine-tuned transformer: the family.

`model/` is what the pipeline stages run; `serving/` is what the API, the app and `predict` add.
"""
