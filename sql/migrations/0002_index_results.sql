-- The index setup wizard's results (issue #5): the sync's queries measured before and after the
-- recommended indexes were built, kept with the run history so a later sync's figures can be
-- compared with the ones before.
CREATE TABLE resosync.index_results (
    result_id  bigserial PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now(),
    summary    jsonb NOT NULL
);
COMMENT ON TABLE resosync.index_results IS
    'One row per index wizard or `resosync-cli indexes apply|repair` run: {before, after, built, '
    'repaired}, the measurements as IndexAdvisor::explain() reports them.';
