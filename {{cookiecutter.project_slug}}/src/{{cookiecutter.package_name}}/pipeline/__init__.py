"""The pipeline stages, prepare → train → evaluate, written once against `task.TaskFamily`."""
