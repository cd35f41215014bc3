-- 0001_initial: the replicated RESO resources and ResoSync's own state.
--
-- Applied by SchemaMigrator (resosync-cli schema apply) inside one transaction that also
-- records it in resosync.schema_migrations; the migrator creates that table itself before
-- running any migration, since it must read it to know what to apply. Never edit a migration
-- once released: add the next NNNN_name.sql instead.
--
-- Typed columns are exactly FieldCatalog::columns() (core/reso/FieldCatalog.cpp) with the SQL
-- types it derives from the RESO Data Dictionary 2.0 (resources/reso/reso-dd-2.0-core.json):
-- Edm.String and enumerations -> text, Edm.Int* -> bigint, Edm.Decimal -> numeric(p,s),
-- Edm.Boolean -> boolean, Edm.DateTimeOffset -> timestamptz (microseconds; never rounded),
-- Edm.Date -> date, collections -> text[]. tests/integration/tst_schema.cpp checks the two agree.
--
-- The RESO tables are qualified with public: with the default search_path ("$user", public) a
-- role named resosync would otherwise create them in schema resosync.
--
-- Only primary keys here: the recommended indexes (sql/indexes.sql) are the index wizard's job,
-- built CONCURRENTLY while syncs keep writing.

CREATE SCHEMA IF NOT EXISTS resosync;

-- ---------------------------------------------------------------------------------------------
-- Replicated resources (public schema, quoted RESO names)
-- ---------------------------------------------------------------------------------------------

CREATE TABLE public."Property" (
    "ListingKey"             text NOT NULL PRIMARY KEY,
    "ListingId"              text,
    "ModificationTimestamp"  timestamptz,
    "OriginalEntryTimestamp" timestamptz,
    "StandardStatus"         text,
    "ContractStatus"         text,
    "MlsStatus"              text,
    "ListPrice"              numeric(14,2),
    "ClosePrice"             numeric(14,2),
    "PropertyType"           text,
    "PropertySubType"        text,
    "UnparsedAddress"        text,
    "StreetNumber"           text,
    "StreetName"             text,
    "City"                   text,
    "StateOrProvince"        text,
    "PostalCode"             text,
    "CountyOrParish"         text,
    "Latitude"               numeric(12,8),
    "Longitude"              numeric(12,8),
    "BedroomsTotal"          bigint,
    "BathroomsTotalInteger"  bigint,
    "LivingArea"             numeric(14,2),
    "LotSizeAcres"           numeric(16,4),
    "YearBuilt"              bigint,
    "DaysOnMarket"           bigint,
    "ListingContractDate"    date,
    "OnMarketDate"           date,
    "CloseDate"              date,
    "ListAgentKey"           text,
    "ListOfficeKey"          text,
    "PhotosCount"            bigint,
    "PhotosChangeTimestamp"  timestamptz,
    "PublicRemarks"          text,
    record                   jsonb NOT NULL,
    replicated_at            timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public."Property" IS
    'RESO Property, keyed by ListingKey. Typed columns: FieldCatalog::columns(Property) '
    '(core/reso/FieldCatalog.cpp) with types from the RESO Data Dictionary 2.0 '
    '(resources/reso/reso-dd-2.0-core.json); record holds the complete record as received.';
COMMENT ON COLUMN public."Property"."ContractStatus" IS
    'Not a Data Dictionary 2.0 field: kept because the recommended indexes name it; from the '
    'record, or from StandardStatus when the feed does not send it.';

CREATE TABLE public."Media" (
    "MediaKey"                   text NOT NULL PRIMARY KEY,
    "ResourceRecordKey"          text,
    "ResourceName"               text,
    "ResourceRecordID"           text,
    "MediaModificationTimestamp" timestamptz,
    "ModificationTimestamp"      timestamptz,
    "MediaCategory"              text,
    "MediaType"                  text,
    "Order"                      bigint,
    "MediaURL"                   text,
    "MediaObjectID"              text,
    "ShortDescription"           text,
    "LongDescription"            text,
    "ImageWidth"                 bigint,
    "ImageHeight"                bigint,
    "ImageSizeDescription"       text,
    "PreferredPhotoYN"           boolean,
    "Permission"                 text[],
    record                       jsonb NOT NULL,
    replicated_at                timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public."Media" IS
    'RESO Media, keyed by MediaKey; its listing is ResourceRecordKey (ResourceName = Property). '
    'Typed columns: FieldCatalog::columns(Media) (core/reso/FieldCatalog.cpp) with types from '
    'the RESO Data Dictionary 2.0 (resources/reso/reso-dd-2.0-core.json); record holds the '
    'complete record as received.';

CREATE TABLE public."PropertyRooms" (
    "RoomKey"               text NOT NULL PRIMARY KEY,
    "ListingKey"            text,
    "ListingId"             text,
    "RoomType"              text,
    "RoomLevel"             text,
    "RoomLength"            numeric(14,2),
    "RoomWidth"             numeric(14,2),
    "RoomArea"              numeric(14,2),
    "RoomAreaUnits"         text,
    "RoomDimensions"        text,
    "RoomDescription"       text,
    "RoomFeatures"          text[],
    "ModificationTimestamp" timestamptz,
    record                  jsonb NOT NULL,
    replicated_at           timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public."PropertyRooms" IS
    'RESO PropertyRooms, keyed by RoomKey; its listing is ListingKey. Typed columns: '
    'FieldCatalog::columns(PropertyRooms) (core/reso/FieldCatalog.cpp) with types from the RESO '
    'Data Dictionary 2.0 (resources/reso/reso-dd-2.0-core.json); record holds the complete '
    'record as received.';

CREATE TABLE public."OpenHouse" (
    "OpenHouseKey"           text NOT NULL PRIMARY KEY,
    "ListingKey"             text,
    "ListingId"              text,
    "OpenHouseId"            text,
    "OpenHouseDate"          date,
    "OpenHouseStartTime"     timestamptz,
    "OpenHouseEndTime"       timestamptz,
    "OpenHouseType"          text,
    "OpenHouseStatus"        text,
    "OpenHouseRemarks"       text,
    "ShowingAgentKey"        text,
    "ShowingAgentFirstName"  text,
    "ShowingAgentLastName"   text,
    "Refreshments"           text,
    "AppointmentRequiredYN"  boolean,
    "OriginalEntryTimestamp" timestamptz,
    "ModificationTimestamp"  timestamptz,
    record                   jsonb NOT NULL,
    replicated_at            timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public."OpenHouse" IS
    'RESO OpenHouse, keyed by OpenHouseKey; its listing is ListingKey. Typed columns: '
    'FieldCatalog::columns(OpenHouse) (core/reso/FieldCatalog.cpp) with types from the RESO '
    'Data Dictionary 2.0 (resources/reso/reso-dd-2.0-core.json); record holds the complete '
    'record as received.';

COMMENT ON COLUMN public."Property".record IS 'The complete record as received (its raw bytes), so nothing a vendor sends is lost.';
COMMENT ON COLUMN public."Media".record IS 'The complete record as received (its raw bytes), so nothing a vendor sends is lost.';
COMMENT ON COLUMN public."PropertyRooms".record IS 'The complete record as received (its raw bytes), so nothing a vendor sends is lost.';
COMMENT ON COLUMN public."OpenHouse".record IS 'The complete record as received (its raw bytes), so nothing a vendor sends is lost.';

-- ---------------------------------------------------------------------------------------------
-- ResoSync's own state (schema resosync)
-- ---------------------------------------------------------------------------------------------

-- Every sync run, kept so runs can be compared.
CREATE TABLE resosync.runs (
    run_id      bigserial PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
    mode        text,
    resources   text[],
    -- A feed URL is stored, never its credentials: refuse user info (https://user:pw@host).
    feed        text CHECK (feed !~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@'),
    config      jsonb,
    summary     jsonb,
    error       text
);
COMMENT ON TABLE resosync.runs IS
    'One row per sync run: settings (config, without secrets), outcome and metrics summary.';

-- The replication checkpoint of each resource: the (ModificationTimestamp, key) pair the next
-- page starts after, and the fence (the run's start time) its window ends at. Written in the
-- same transaction as the rows it covers, so a crash loses nothing and repeats at most a batch.
CREATE TABLE resosync.sync_cursor (
    resource         text PRIMARY KEY
                     CHECK (resource IN ('Property', 'Media', 'PropertyRooms', 'OpenHouse')),
    cursor_timestamp timestamptz,
    cursor_key       text,
    fence            timestamptz,
    run_id           bigint,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- the cursor is the pair; a key without its timestamp means nothing
    CHECK (cursor_key IS NULL OR cursor_timestamp IS NOT NULL)
);
COMMENT ON TABLE resosync.sync_cursor IS
    'Replication checkpoint per resource on (ModificationTimestamp, key), fenced above; '
    'committed with the rows it covers.';

-- Which listings have their children (Media, PropertyRooms, OpenHouse) completely synced, and
-- as of which parent ModificationTimestamp: a child sync skips listings unchanged since.
-- No foreign keys: this grows to a row per listing and is written per batch.
CREATE TABLE resosync.child_sync (
    resource           text NOT NULL CHECK (resource IN ('Media', 'PropertyRooms', 'OpenHouse')),
    listing_key        text NOT NULL,
    property_timestamp timestamptz NOT NULL,
    run_id             bigint,
    PRIMARY KEY (resource, listing_key)
);
COMMENT ON TABLE resosync.child_sync IS
    'Per child resource and listing: the parent ModificationTimestamp when its children were '
    'last synced completely.';

-- Metric time series per run, for the history charts.
CREATE TABLE resosync.run_samples (
    run_id bigint NOT NULL REFERENCES resosync.runs ON DELETE CASCADE,
    at     timestamptz NOT NULL,
    series text NOT NULL,
    value  double precision NOT NULL,
    PRIMARY KEY (run_id, series, at)
);
COMMENT ON TABLE resosync.run_samples IS 'Metric samples of a run (series, time, value).';

-- Records that could not be stored (bad timestamp, value out of range), with the reason and the
-- payload as received; the rest of their batch proceeds.
CREATE TABLE resosync.rejects (
    reject_id   bigserial PRIMARY KEY,
    run_id      bigint REFERENCES resosync.runs ON DELETE SET NULL,
    resource    text NOT NULL,
    record_key  text,
    reason      text NOT NULL,
    payload     text NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE resosync.rejects IS
    'Records that could not be stored: reason and the payload as received.';
COMMENT ON COLUMN resosync.rejects.payload IS
    'The record as received, possibly not even valid JSON. text cannot hold NUL bytes or '
    'invalid UTF-8: writers replace those before inserting.';
-- Deleting a run sets run_id to NULL here; without this index that is a scan of all rejects.
CREATE INDEX rejects_run_id ON resosync.rejects (run_id);
