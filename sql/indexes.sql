-- The seed's eight recommended indexes (media-sync-optimization-guide.md, section 2).
-- Not part of the schema: the index setup wizard inspects, measures and builds them, one at a
-- time and outside a transaction (CONCURRENTLY cannot run inside one), so syncs keep writing.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_property_listing_key ON "Property" ("ListingKey");
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_property_modification_timestamp ON "Property" ("ModificationTimestamp");
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_property_contract_status ON "Property" ("ContractStatus");
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_media_resource_key ON "Media" ("ResourceRecordKey");
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_media_modification_timestamp ON "Media" ("MediaModificationTimestamp");
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_media_resource_timestamp ON "Media" ("ResourceRecordKey", "MediaModificationTimestamp");
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_property_rooms_listing_key ON "PropertyRooms" ("ListingKey");
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_openhouse_listing_key ON "OpenHouse" ("ListingKey");
