/* customers.c: organisations, contacts and sites as records described as data:
 * their fields, limits, filters and search. */
#include "customers.h"

static const char *const tiers[] = {"vip", "gold", "standard", NULL};

static const struct rec_field organisation_fields[] = {
    {"name", RT_TEXT, RF_REQUIRED | RF_SEARCH, 0, 200, NULL, NULL, NULL, NULL},
    {"tier", RT_ENUM, RF_FILTER, 0, 0, NULL, NULL, tiers, "standard"},
    {"region", RT_TEXT, RF_FILTER, 0, 64, NULL, NULL, NULL, NULL},
    {"external_id", RT_TEXT, RF_FILTER | RF_SEARCH | RF_UNIQUE, 0, 100, NULL, NULL, NULL, NULL},
    {"notes", RT_TEXT, 0, 0, 4000, NULL, NULL, NULL, ""},
    {"custom", RT_CUSTOM, 0, 0, 0, NULL, NULL, NULL, "{}"},
};

const struct rec_kind organisation_kind = {
    "organisation", "organisations", "/api/v1/organisations", "o1", "id", organisation_fields,
    (int)(sizeof(organisation_fields) / sizeof(organisation_fields[0])), NULL,
};

static const struct rec_field contact_fields[] = {
    {"organisation_id", RT_REF, RF_REQUIRED | RF_FILTER, 0, 0, "organisations", NULL, NULL, NULL},
    {"name", RT_TEXT, RF_REQUIRED | RF_SEARCH, 0, 200, NULL, NULL, NULL, NULL},
    {"email", RT_TEXT, RF_EMAIL | RF_SEARCH, 0, 254, NULL, NULL, NULL, NULL},
    {"phone", RT_TEXT, RF_PHONE | RF_SEARCH, 0, 40, NULL, NULL, NULL, NULL},
    {"wechat_openid", RT_TEXT, RF_FILTER | RF_UNIQUE, 0, 128, NULL, NULL, NULL, NULL},
    {"user_id", RT_REF, RF_FILTER, 0, 0, "users", NULL, NULL, NULL},
    {"external_id", RT_TEXT, RF_FILTER | RF_UNIQUE, 0, 100, NULL, NULL, NULL, NULL},
    {"custom", RT_CUSTOM, 0, 0, 0, NULL, NULL, NULL, "{}"},
};

const struct rec_kind contact_kind = {
    "contact", "contacts", "/api/v1/contacts", "c1", "organisation_id", contact_fields,
    (int)(sizeof(contact_fields) / sizeof(contact_fields[0])), NULL,
};

static const struct rec_field site_fields[] = {
    {"organisation_id", RT_REF, RF_REQUIRED | RF_FILTER, 0, 0, "organisations", NULL, NULL, NULL},
    {"name", RT_TEXT, RF_REQUIRED | RF_SEARCH, 0, 200, NULL, NULL, NULL, NULL},
    {"address", RT_TEXT, RF_SEARCH, 0, 500, NULL, NULL, NULL, ""},
    {"latitude", RT_REAL, 0, -90, 90, NULL, NULL, NULL, NULL},
    {"longitude", RT_REAL, 0, -180, 180, NULL, NULL, NULL, NULL},
    {"access_notes", RT_TEXT, 0, 0, 2000, NULL, NULL, NULL, ""},
    {"region", RT_TEXT, RF_FILTER, 0, 64, NULL, NULL, NULL, NULL},
    {"external_id", RT_TEXT, RF_FILTER | RF_UNIQUE, 0, 100, NULL, NULL, NULL, NULL},
    {"custom", RT_CUSTOM, 0, 0, 0, NULL, NULL, NULL, "{}"},
};

const struct rec_kind site_kind = {
    "site", "sites", "/api/v1/sites", "s1", "organisation_id", site_fields,
    (int)(sizeof(site_fields) / sizeof(site_fields[0])), NULL,
};
