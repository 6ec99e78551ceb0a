"""Running work and keeping its results: no science here (DESIGN.md layout).

* :mod:`ringing.runs.store` — :class:`~ringing.runs.store.ResultStore`, the embedded SQLite
  results store keyed by a hash of the whole configuration (:func:`~ringing.runs.store.config_key`).
* :mod:`ringing.runs.executors` — :func:`~ringing.runs.executors.execute` (a function over many
  argument tuples on a local process pool or on Ray) and
  :func:`~ringing.runs.executors.run_tasks` (the same, reusing and committing results in a
  store, one transaction per finished task).
* :mod:`ringing.runs.progress` — tqdm progress bars on stderr.

``validate/`` (the claims) and ``experiments/`` (the papers' studies) sit above this package;
it imports nothing from them.
"""
