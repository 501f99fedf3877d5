"""Images in class folders (or the bundled MNIST digits), learnt by PyTorch: the task family.

`model/` is what the pipeline stages run; `serving/` is what the API, the app and `predict` add.
"""
