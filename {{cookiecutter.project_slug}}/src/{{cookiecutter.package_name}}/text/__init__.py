"""Short texts and their labels (or the bundled movie reviews), learnt from TF-IDF to a fine-tuned
transformer: the task family.

`model/` is what the pipeline stages run; `serving/` is what the API, the app and `predict` add.
"""
