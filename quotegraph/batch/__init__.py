"""Corpora beyond one machine: analysis on a Dask cluster into Parquet shards, and loading them."""

from .load import load_batch
from .plan import DEFAULT_PARTITION_SIZE, Partition, plan
from .run import BatchResult, done_entries, run_batch, start_client

__all__ = ["BatchResult", "DEFAULT_PARTITION_SIZE", "Partition", "done_entries", "load_batch", "plan", "run_batch",
           "start_client"]
