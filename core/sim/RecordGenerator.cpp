#include "sim/RecordGenerator.h"

#include "reso/FieldCatalog.h"

#include <QSet>

namespace resosync::sim {

using namespace Qt::StringLiterals;
using reso::DdField;
using reso::FieldType;
using reso::Resource;

namespace {

constexpr qint64 kUsecsPerDay = 86'400'000'000LL;
const QString kMlgCanView = u"MlgCanView"_s;

std::size_t idx(Resource r) {
    return static_cast<std::size_t>(r);
}

/// FNV-1a: unlike qHash, fixed across Qt versions, so the served field set never moves.
quint64 stableHash(const QString &text) {
    quint64 h = 14695981039346656037ULL;
    for (QChar c : text)
        h = (h ^ c.unicode()) * 1099511628211ULL;
    return h;
}

const QStringList kStreets{u"Maple"_s,  u"Oak"_s,      u"Cedar"_s,  u"Elm"_s,
                           u"Willow"_s, u"Lakeview"_s, u"Sunset"_s, u"Hillcrest"_s,
                           u"Main"_s,   u"Park"_s,     u"Ridge"_s,  u"Meadow"_s,
                           u"Cañón"_s,  u"O'Connor"_s, u"Königs"_s, u"Rue Saint-Honoré"_s};
const QStringList kSuffixes{u"St"_s, u"Ave"_s, u"Blvd"_s, u"Dr"_s, u"Ln"_s, u"Ct"_s, u"Way"_s};
const QStringList kCounties{u"Adams"_s,   u"Clark"_s,   u"Franklin"_s, u"Jefferson"_s,
                            u"Lincoln"_s, u"Madison"_s, u"Marion"_s,   u"Washington"_s};
const QStringList kFirstNames{u"Ana"_s,   u"Björn"_s,  u"Chloé"_s, u"Dmitri"_s,
                              u"Emeka"_s, u"Fatima"_s, u"Grace"_s, u"Hiroshi"_s};
const QStringList kLastNames{u"García"_s,   u"O'Brien"_s, u"Nguyen"_s, u"Smith"_s,
                             u"Kowalski"_s, u"Müller"_s,  u"Okafor"_s, u"Tanaka"_s};
// Remarks carry what breaks naive pipelines: unicode, quotes, backslashes, newlines, tabs.
const QStringList kRemarkPhrases{u"Charming home on a quiet street."_s,
                                 u"Sun-filled café kitchen with “quartz” counters."_s,
                                 u"Seller says: \"bring offers\"."_s,
                                 u"Backyard oasis 🏡 with mature trees."_s,
                                 u"Path to docs: C:\\listing\\photos\\ (agent only)."_s,
                                 u"Walk to schools,\nparks and shops."_s,
                                 u"Tab\tseparated\tnotes from the listing agent."_s,
                                 u"Niño's room has a built-in desk; O'Hara built it."_s,
                                 u"Über-modern finishes, 12' ceilings & heated floors."_s,
                                 u"Priced to sell — won't last!"_s,
                                 u"日当たりの良いリビング。"_s,
                                 u"Back-slash at the end \\"_s};

struct Draw {
    SplitMix64 &rng;

    const QString &from(const QStringList &list) { return list[qsizetype(rng.below(list.size()))]; }
    FieldValue maybeNull(double nullShare, FieldValue value) {
        return rng.chance(nullShare) ? FieldValue{} : std::move(value);
    }
};

Number integer(qint64 value) {
    return Number{double(value), QByteArray::number(value)};
}

/// A decimal from an integer count of its smallest unit, printed with trailing zeros trimmed
/// (as JavaScript-based vendor APIs do), so `45990010` at scale 2 is `459900.1`.
Number decimal(qint64 units, int scale) {
    qint64 divisor = 1;
    for (int i = 0; i < scale; ++i)
        divisor *= 10;
    const bool negative = units < 0;
    const qint64 magnitude = negative ? -units : units;
    QByteArray text = (negative ? "-" : "") + QByteArray::number(magnitude / divisor);
    if (scale > 0) {
        QByteArray fraction = QByteArray::number(magnitude % divisor).rightJustified(scale, '0');
        while (fraction.endsWith('0'))
            fraction.chop(1);
        if (!fraction.isEmpty())
            text += '.' + fraction;
    }
    return Number{double(units) / double(divisor), text};
}

QString lookupOr(const QString &lookupName, const QStringList &fallback, Draw &draw) {
    const QStringList values = reso::DataDictionary::instance().lookupValues(lookupName);
    // Some DD lookups ship only a placeholder ("Sample...EnumValue"); use real-looking ones.
    if (values.isEmpty() || values.first().startsWith("Sample"_L1))
        return draw.from(fallback);
    return draw.from(values);
}

QString enumValue(Draw &draw, const char *lookup, const QStringList &fallback = {u"Other"_s}) {
    return lookupOr(u"org.reso.metadata.enums."_s + QLatin1StringView(lookup), fallback, draw);
}

QString remarks(Draw &draw, int phrases) {
    QStringList parts;
    for (int i = 0; i < phrases; ++i)
        parts << draw.from(kRemarkPhrases);
    return parts.join(u' ');
}

reso::Timestamp before(Draw &draw, qint64 usecs, qint64 maxDays) {
    const qint64 back = draw.rng.between(0, maxDays * kUsecsPerDay) / 1000 * 1000;
    return reso::Timestamp::fromUsecs(usecs - back);
}

Date dateOf(qint64 usecs) {
    return Date{usecs / kUsecsPerDay};
}

qint64 priceCents(Draw &draw, int subType) {
    const qint64 base = draw.rng.between(90, 2400) * 1000 + draw.rng.below(10) * 100;
    return (base + subType * 5000) * 100 + (draw.rng.chance(0.1) ? 10 : 0);
}

FieldValue extraValue(const DdField &field, Draw &draw, qint64 modifiedUsecs) {
    switch (field.type) {
    case FieldType::String:
        if (field.name.endsWith("Key"_L1) || field.name.endsWith("ID"_L1))
            return u"X%1"_s.arg(draw.rng.between(100000, 999999));
        return (u"%1 %2"_s.arg(draw.from(kStreets), draw.from(kSuffixes)))
            .left(field.maxLength > 0 ? field.maxLength : 255);
    case FieldType::Integer:
        return integer(draw.rng.between(0, 120));
    case FieldType::Decimal:
        return decimal(draw.rng.between(0, 500000), std::min(field.scale, 4));
    case FieldType::Boolean:
        return draw.rng.chance(0.5);
    case FieldType::Timestamp:
        return before(draw, modifiedUsecs, 400);
    case FieldType::Date:
        return dateOf(before(draw, modifiedUsecs, 400).usecs());
    case FieldType::Enum: {
        const QStringList values = reso::DataDictionary::instance().lookupValues(field.lookupName);
        if (values.isEmpty())
            return {};
        if (!field.isCollection)
            return draw.from(values);
        QStringList picked;
        const int n = int(draw.rng.between(1, 3));
        for (int i = 0; i < n; ++i) {
            const QString &v = draw.from(values);
            if (!picked.contains(v))
                picked << v;
        }
        return picked;
    }
    }
    return {};
}

} // namespace

RecordGenerator::RecordGenerator(const FeedData &data)
    : m_data(data) {
    const auto &dd = reso::DataDictionary::instance();
    for (Resource resource : reso::kAllResources) {
        QSet<QString> core;
        for (const reso::CatalogColumn &c : reso::FieldCatalog::columns(resource)) {
            if (dd.field(resource, c.field.name)) // ContractStatus is local, not served
                core.insert(c.field.name);
        }
        // Property has 650 DD fields; a vendor serves a subset. Pick a stable eighth.
        for (const DdField &field : dd.fields(resource)) {
            const bool keep = resource != Resource::Property || stableHash(field.name) % 8 == 0;
            if (!core.contains(field.name) && keep)
                m_extras[idx(resource)].push_back(field);
        }
        // The served fields, in document order, are those of any generated record.
        RecordState probe;
        probe.ordinal = 1;
        probe.parent = 1;
        auto &served = m_served[idx(resource)];
        for (const Field &field : generate(resource, probe)) {
            if (field.name != kMlgCanView) {
                served.push_back(*dd.field(resource, field.name));
                continue;
            }
            DdField canView; // MLS Grid's own field, not the Data Dictionary's
            canView.name = field.name;
            canView.type = FieldType::Boolean;
            served.push_back(canView);
        }
        for (const DdField &f : served)
            m_schemas[idx(resource)].insert(f.name, f.type);
    }
}

const std::vector<DdField> &RecordGenerator::servedFields(Resource resource) const {
    return m_served[idx(resource)];
}

const FilterSchema &RecordGenerator::filterSchema(Resource resource) const {
    return m_schemas[idx(resource)];
}

void RecordGenerator::addExtras(Resource resource, const RecordState &state, Record &record) const {
    SplitMix64 rng =
        SplitMix64::from({m_data.seed(), idx(resource), state.ordinal, state.version, 7});
    Draw draw{rng};
    const double nullShare = resource == Resource::Property ? 0.5 : 0.6;
    for (const DdField &field : m_extras[idx(resource)])
        record.push_back(
            {field.name, draw.maybeNull(nullShare, extraValue(field, draw, state.modifiedUsecs))});
}

Record RecordGenerator::generate(Resource resource, const RecordState &s) const {
    SplitMix64 rng = SplitMix64::from({m_data.seed(), idx(resource), s.ordinal, s.version});
    Draw d{rng};
    const reso::Timestamp modified = reso::Timestamp::fromUsecs(s.modifiedUsecs);
    const QString listingKey = FeedData::keyFor(Resource::Property, s.parent);
    Record r;
    r.reserve(resource == Resource::Property ? 110 : 48);
    auto add = [&r](const char *name, FieldValue value) {
        r.push_back({QString::fromLatin1(name), std::move(value)});
    };

    switch (resource) {
    case Resource::Property: {
        const QString status = FeedData::statuses().value(s.status);
        const bool closed = status == "Closed"_L1;
        const int subType = int(rng.below(6));
        const reso::Timestamp entered = before(d, s.modifiedUsecs, 700);
        const qint64 listCents = priceCents(d, subType);
        const QString streetNumber = QString::number(rng.between(1, 29999));
        const QString street = d.from(kStreets) + u' ' + d.from(kSuffixes);
        const QString city = enumValue(d, "City", {u"Springfield"_s});
        const QString state = enumValue(d, "StateOrProvince", {u"CA"_s});
        const QString postal = u"%1"_s.arg(rng.between(10000, 99999));
        qsizetype photos = 0;
        for (quint32 c : m_data.childrenOf(Resource::Media, s.ordinal))
            photos += m_data.records(Resource::Media)[c].alive &&
                              m_data.records(Resource::Media)[c].canView
                          ? 1
                          : 0;
        add("ListingKey", listingKey);
        add("ListingId", FeedData::listingIdFor(s.ordinal));
        add("StandardStatus", status);
        add("MlsStatus", status);
        add("PropertyType", enumValue(d, "PropertyType", {u"Residential"_s}));
        add("PropertySubType", enumValue(d, "PropertySubType", {u"SingleFamilyResidence"_s}));
        add("ListPrice", decimal(listCents, 2));
        add("ClosePrice", closed
                              ? FieldValue{decimal(listCents - rng.between(-20000, 40000) * 100, 2)}
                              : FieldValue{});
        add("OriginalEntryTimestamp", entered);
        add("ModificationTimestamp", modified);
        add("PhotosChangeTimestamp", before(d, s.modifiedUsecs, 30));
        add("PhotosCount", integer(photos));
        add("ListingContractDate", dateOf(entered.usecs()));
        add("OnMarketDate", dateOf(entered.usecs() + kUsecsPerDay));
        add("CloseDate", closed ? FieldValue{dateOf(s.modifiedUsecs)} : FieldValue{});
        add("DaysOnMarket", integer((s.modifiedUsecs - entered.usecs()) / kUsecsPerDay));
        add("StreetNumber", streetNumber);
        add("StreetName", street);
        add("City", city);
        add("StateOrProvince", state);
        add("PostalCode", postal);
        add("CountyOrParish", enumValue(d, "CountyOrParish", kCounties));
        add("UnparsedAddress",
            u"%1 %2, %3, %4 %5"_s.arg(streetNumber, street, city, state, postal));
        add("Latitude", decimal(rng.between(2500000000LL, 4900000000LL), 8));
        add("Longitude", decimal(-rng.between(7000000000LL, 12400000000LL), 8));
        add("BedroomsTotal", d.maybeNull(0.05, integer(rng.between(0, 7))));
        add("BathroomsTotalInteger", d.maybeNull(0.05, integer(rng.between(1, 5))));
        add("LivingArea", d.maybeNull(0.1, decimal(rng.between(50000, 650000), 2)));
        add("LotSizeAcres", d.maybeNull(0.2, decimal(rng.between(100, 500000), 4)));
        add("YearBuilt", d.maybeNull(0.1, integer(rng.between(1890, 2025))));
        add("ListAgentKey", u"A%1"_s.arg(rng.between(1000, 9999)));
        add("ListOfficeKey", u"O%1"_s.arg(rng.between(100, 999)));
        add("PublicRemarks", d.maybeNull(0.05, remarks(d, int(rng.between(2, 6)))));
        break;
    }
    case Resource::Media: {
        const int width = rng.chance(0.7) ? 2048 : 1024;
        add("MediaKey", FeedData::keyFor(Resource::Media, s.ordinal));
        add("ResourceRecordKey", listingKey);
        add("ResourceName", u"Property"_s);
        add("ResourceRecordID", FeedData::listingIdFor(s.parent));
        add("MediaModificationTimestamp", modified);
        add("ModificationTimestamp", modified);
        add("MediaCategory", s.slot == 0 ? u"Photo"_s : enumValue(d, "MediaCategory"));
        add("MediaType", u"Jpeg"_s);
        add("Order", integer(s.slot + 1));
        add("MediaURL", u"https://media.example.com/sim/%1/%2-v%3.jpg"_s.arg(listingKey)
                            .arg(s.slot + 1)
                            .arg(s.version));
        add("MediaObjectID", u"IMG-%1"_s.arg(s.ordinal));
        add("ShortDescription", d.maybeNull(0.4, d.from(kRemarkPhrases).left(50)));
        add("LongDescription", d.maybeNull(0.8, remarks(d, 2)));
        add("ImageWidth", integer(width));
        add("ImageHeight", integer(width * 3 / 4));
        add("ImageSizeDescription", d.from({u"Large"_s, u"Largest"_s, u"Medium"_s}));
        add("PreferredPhotoYN", s.slot == 0);
        add("Permission", QStringList{u"Public"_s});
        break;
    }
    case Resource::PropertyRooms: {
        const qint64 length = rng.between(800, 3000), width = rng.between(800, 2400);
        add("RoomKey", FeedData::keyFor(Resource::PropertyRooms, s.ordinal));
        add("ListingKey", listingKey);
        add("ListingId", FeedData::listingIdFor(s.parent));
        add("RoomType", enumValue(d, "RoomType"));
        add("RoomLevel", d.maybeNull(0.2, enumValue(d, "RoomLevel")));
        add("RoomLength", decimal(length, 2));
        add("RoomWidth", decimal(width, 2));
        add("RoomArea", decimal(length * width / 100, 2));
        add("RoomAreaUnits", u"SquareFeet"_s);
        add("RoomDimensions", u"%1' x %2'"_s.arg(length / 100).arg(width / 100));
        add("RoomDescription", d.maybeNull(0.5, d.from(kRemarkPhrases)));
        add("RoomFeatures",
            d.maybeNull(0.3, extraValue(*reso::DataDictionary::instance().field(
                                            Resource::PropertyRooms, u"RoomFeatures"),
                                        d, s.modifiedUsecs)));
        add("ModificationTimestamp", modified);
        break;
    }
    case Resource::OpenHouse: {
        const qint64 day = (FeedData::kEpochEndUsecs / kUsecsPerDay) + rng.between(-30, 30);
        const qint64 start = day * kUsecsPerDay + rng.between(14, 20) * 3600'000'000LL;
        add("OpenHouseKey", FeedData::keyFor(Resource::OpenHouse, s.ordinal));
        add("ListingKey", listingKey);
        add("ListingId", FeedData::listingIdFor(s.parent));
        add("OpenHouseId", u"OHID-%1"_s.arg(s.ordinal));
        add("OpenHouseDate", Date{day});
        add("OpenHouseStartTime", reso::Timestamp::fromUsecs(start));
        add("OpenHouseEndTime", reso::Timestamp::fromUsecs(start + 2 * 3600'000'000LL));
        add("OpenHouseType", enumValue(d, "OpenHouseType"));
        add("OpenHouseStatus", u"Active"_s);
        add("OpenHouseRemarks", d.maybeNull(0.5, remarks(d, 1)));
        add("ShowingAgentKey", u"A%1"_s.arg(rng.between(1000, 9999)));
        add("ShowingAgentFirstName", d.from(kFirstNames));
        add("ShowingAgentLastName", d.from(kLastNames));
        add("Refreshments", d.maybeNull(0.6, u"Coffee & \"cookies\""_s));
        add("AppointmentRequiredYN", rng.chance(0.2));
        add("OriginalEntryTimestamp", before(d, s.modifiedUsecs, 20));
        add("ModificationTimestamp", modified);
        break;
    }
    }
    addExtras(resource, s, r);
    if (m_data.servesMlgCanView())
        r.push_back({kMlgCanView, s.canView});
    return r;
}

} // namespace resosync::sim
