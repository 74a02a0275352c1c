"""Shared pieces of the Millrace DAGs: the spark-submit task factory, the evaluate gate and failure callbacks.

Kept apart from the DAG files so that those stay thin (no heavy top-level code) and the tests can check the pieces.
"""
