-- 0003_run_events: the moments marked on a run's charts (a setting changed, paused, resumed,
-- cancel requested, an alert fired), kept with the run so its charts can be shown again from
-- history with the same markers as live. Deleted with their run.
CREATE TABLE resosync.run_events (
    run_id bigint NOT NULL REFERENCES resosync.runs ON DELETE CASCADE,
    -- The event's position in the run: several events may share one instant, and their order
    -- (e.g. "paused" before a settings change) is part of what happened.
    seq    integer NOT NULL,
    at     timestamptz NOT NULL,
    label  text NOT NULL,
    PRIMARY KEY (run_id, seq)
);
COMMENT ON TABLE resosync.run_events IS
    'Marked moments of a run (settings changes, pause, resume, cancel, alerts), in order; '
    'at is on the same clock as resosync.run_samples.at and resosync.runs.started_at.';
