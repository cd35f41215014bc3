-- What a sync learns about a feed and must remember across runs and processes (issue #6):
-- what the vendor refused (the `in` operator, long URLs), and the requests already spent
-- against its hourly and daily limits. Keyed by the feed's service root URL, never with
-- credentials (no user info, no query).

CREATE TABLE resosync.feed_capabilities (
    feed_url       text PRIMARY KEY CHECK (feed_url !~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@'),
    supports_in    boolean,  -- false once the feed refused an `in` filter; NULL: as the profile says
    max_url_length integer CHECK (max_url_length > 0), -- the longest request target it accepted after a 414
    note           text,
    learned_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE resosync.feed_capabilities IS
    'Per feed: what it refused (the `in` operator, URLs past a length), learned by a sync and '
    'applied by the next ones before the profile''s defaults.';

-- Request starts per feed and minute, so a new process keeps within the profile's hourly and
-- daily limits that earlier processes already used up. Rows older than a day are deleted as
-- new ones arrive.
CREATE TABLE resosync.feed_requests (
    feed_url   text NOT NULL CHECK (feed_url !~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@'),
    minute     timestamptz NOT NULL,
    requests   integer NOT NULL CHECK (requests > 0),
    last_start timestamptz NOT NULL,
    PRIMARY KEY (feed_url, minute)
);
COMMENT ON TABLE resosync.feed_requests IS
    'Requests started per feed and minute (the latest start of the minute), for client-side '
    'rate limits that hold across restarts.';
