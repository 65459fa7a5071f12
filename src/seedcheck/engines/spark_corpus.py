"""The Spark engine's corpus-stage reduction: each analyzer's states pruned in Spark to
what its `finish` needs, with the hooks the analyzer base class declares
(`corpus.Analyzer`: `blocking_keys`, `live_keys`, `prune`; for an `aggregated` analyzer
`weights`, `plan`, `live`), so only those states reach the driver."""

from __future__ import annotations

import pickle

from .spark_documents import OUTCOME_SCHEMA

_KEY_SCHEMA = "analyzer string, key string, weight long"


def _keys(analyzers, params: dict[str, dict]):
    """mapInPandas function: one (analyzer, key, weight) row per `weights` pair of each
    document's state (for a blocking analyzer: each of its blocking keys, weight 1)."""

    def explode(batches):
        import pandas as pd

        for frame in batches:
            rows = []
            for payload in frame["states"]:
                states = pickle.loads(payload)
                for analyzer in analyzers:
                    state = states.get(analyzer.name)
                    if state is not None:
                        own = params[analyzer.name]
                        rows.extend((analyzer.name, key, int(w)) for key, w in analyzer.weights(state, own))
            yield pd.DataFrame(rows, columns=["analyzer", "key", "weight"])

    return explode


def _reduced(analyzer, state, mine: set[str], params: dict[str, dict]):
    """One analyzer's state as `finish` needs it, given its `mine` live keys (None: dropped)."""
    if analyzer.aggregated:
        return analyzer.prune(state, mine, params)
    keys = analyzer.blocking_keys(state, params)
    if keys is None:
        return state  # this analyzer cannot block with these parameters: keep
    if not any(key in mine for key in keys):
        return None
    return analyzer.prune(state, mine, params)


def _pruned(analyzers, params: dict[str, dict], live):
    """mapInPandas function: each analyzer's state only where `finish` needs it.

    A blocking analyzer's state is kept when one of its keys is live (held by two
    documents or more), and then pruned by the analyzer (boilerplate keeps only the live
    lines); an aggregated analyzer prunes every state (names: only the planned spellings)."""

    def prune(batches):
        for frame in batches:
            out = []
            for payload in frame["states"]:
                states = pickle.loads(payload)
                for analyzer in analyzers:
                    state = states.get(analyzer.name)
                    if state is None:
                        continue
                    state = _reduced(analyzer, state, live.value[analyzer.name], params[analyzer.name])
                    if state is None:
                        del states[analyzer.name]
                    else:
                        states[analyzer.name] = state
                out.append(pickle.dumps(states, protocol=5))
            frame["states"] = out
            yield frame

    return prune


def corpus_candidates(spark, outcomes_df, engine):
    """Reduce the analyzer states with the analyzers' blocking keys and aggregates (Spark
    groupBys), so only what `finish` needs reaches the driver; an analyzer that overrides
    no hook keeps every state. Plans of aggregated analyzers go to `engine.corpus_plans`."""
    from pyspark.sql import functions as F

    analyzers = engine.analyzers
    if not analyzers:
        return outcomes_df
    params = {a.name: {r.name: r.params for r in engine.registry.stage("corpus") if r.analyzer is a} for a in analyzers}
    aggregated = [a.name for a in analyzers if a.aggregated]
    keys = outcomes_df.select("states").mapInPandas(_keys(analyzers, params), _KEY_SCHEMA)
    counts: dict[str, dict[str, int]] = {a.name: {} for a in analyzers}
    grouped = keys.groupBy("analyzer", "key").agg(F.count("*").alias("n"), F.sum("weight").alias("total"))
    # Blocking keys matter when two documents share them; aggregates are needed whole.
    for row in grouped.where((F.col("n") >= 2) | F.col("analyzer").isin(aggregated)).toLocalIterator():
        counts[row["analyzer"]][row["key"]] = row["n"] if row["analyzer"] not in aggregated else row["total"]
    live = {}
    for a in analyzers:
        if a.aggregated:
            engine.corpus_plans[a.name] = plan = a.plan(counts.pop(a.name), params[a.name])
            live[a.name] = a.live(plan)
        else:
            live[a.name] = a.live_keys(counts[a.name], params[a.name])
    return outcomes_df.mapInPandas(_pruned(analyzers, params, spark.sparkContext.broadcast(live)), OUTCOME_SCHEMA)
