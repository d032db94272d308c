-- 0008_customers: the customer side of service: organisations and contacts grow
-- custom fields and versions; sites, products and models, assets (components,
-- meter readings), service contracts and the assets they cover, import jobs;
-- tickets name the asset they are about. Dates of the calendar (install,
-- warranty, contract terms) are 'YYYY-MM-DD' text, which sorts as it compares.

ALTER TABLE organisations ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE organisations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE organisations ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE organisations SET updated_at = created_at;

-- email_norm (lower case) and phone_norm (digits only) serve the intake look-ups.
ALTER TABLE contacts ADD COLUMN wechat_openid TEXT;
ALTER TABLE contacts ADD COLUMN user_id INTEGER REFERENCES users(id);
ALTER TABLE contacts ADD COLUMN external_id TEXT;
ALTER TABLE contacts ADD COLUMN email_norm TEXT;
ALTER TABLE contacts ADD COLUMN phone_norm TEXT;
ALTER TABLE contacts ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE contacts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE contacts ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE contacts SET updated_at = created_at, email_norm = lower(email),
    phone_norm = replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '+', ''),
                 '(', ''), ')', ''), '.', '');
CREATE UNIQUE INDEX contacts_external ON contacts(external_id);
CREATE UNIQUE INDEX contacts_wechat ON contacts(wechat_openid);
CREATE INDEX contacts_email_norm ON contacts(email_norm);
CREATE INDEX contacts_phone_norm ON contacts(phone_norm);

CREATE TABLE sites (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    name            TEXT NOT NULL,
    address         TEXT NOT NULL DEFAULT '',
    latitude        REAL,
    longitude       REAL,
    access_notes    TEXT NOT NULL DEFAULT '',
    region          TEXT,
    external_id     TEXT UNIQUE,
    custom          TEXT NOT NULL DEFAULT '{}',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX sites_organisation ON sites(organisation_id, id);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    category     TEXT NOT NULL,
    manufacturer TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- fault_codes and spare_parts: JSON arrays of codes and part numbers.
CREATE TABLE product_models (
    id              INTEGER PRIMARY KEY,
    product_id      INTEGER NOT NULL REFERENCES products(id),
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    warranty_months INTEGER NOT NULL DEFAULT 12,
    fault_codes     TEXT NOT NULL DEFAULT '[]',
    spare_parts     TEXT NOT NULL DEFAULT '[]',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX product_models_product ON product_models(product_id, id);

CREATE TABLE assets (
    id              INTEGER PRIMARY KEY,
    model_id        INTEGER NOT NULL REFERENCES product_models(id),
    serial          TEXT NOT NULL,
    organisation_id INTEGER REFERENCES organisations(id),
    site_id         INTEGER REFERENCES sites(id),
    parent_id       INTEGER REFERENCES assets(id),
    status          TEXT NOT NULL DEFAULT 'active',
    install_date    TEXT,
    warranty_start  TEXT,
    warranty_end    TEXT,
    external_id     TEXT UNIQUE,
    custom          TEXT NOT NULL DEFAULT '{}',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX assets_model_serial ON assets(model_id, serial);
CREATE INDEX assets_serial ON assets(serial);
CREATE INDEX assets_organisation ON assets(organisation_id, id);
CREATE INDEX assets_site ON assets(site_id, id);
CREATE INDEX assets_parent ON assets(parent_id, id);

-- meter: hours, cycles or pages; an append-only history per asset and meter.
CREATE TABLE meter_readings (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL REFERENCES assets(id),
    meter       TEXT NOT NULL,
    value       INTEGER NOT NULL,
    read_at     INTEGER NOT NULL,
    source      TEXT NOT NULL DEFAULT 'manual',
    recorded_by TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX meter_readings_asset ON meter_readings(asset_id, meter, read_at, id);

-- sla_policy_id names a row of sla_policies (the SLA engine's migration); no
-- foreign key until both are merged. price: minor units (fen) of currency.
CREATE TABLE contracts (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    status          TEXT NOT NULL DEFAULT 'active',
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    auto_renew      INTEGER NOT NULL DEFAULT 0,
    covers_parts    INTEGER NOT NULL DEFAULT 0,
    covers_labour   INTEGER NOT NULL DEFAULT 0,
    covers_travel   INTEGER NOT NULL DEFAULT 0,
    sla_policy_id   INTEGER,
    price           INTEGER NOT NULL DEFAULT 0,
    currency        TEXT NOT NULL DEFAULT 'CNY',
    billing_period  TEXT NOT NULL DEFAULT 'yearly',
    external_id     TEXT UNIQUE,
    notes           TEXT NOT NULL DEFAULT '',
    custom          TEXT NOT NULL DEFAULT '{}',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX contracts_organisation ON contracts(organisation_id, id);

CREATE TABLE contract_assets (
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    asset_id    INTEGER NOT NULL REFERENCES assets(id),
    PRIMARY KEY (contract_id, asset_id)
);
CREATE INDEX contract_assets_asset ON contract_assets(asset_id, contract_id);

-- One import of a CSV or XLSX file: progress and the per-row error report.
CREATE TABLE import_jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    format      TEXT NOT NULL,
    status      TEXT NOT NULL,
    partial     INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    processed   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    errors      TEXT NOT NULL DEFAULT '[]',
    created_by  TEXT,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);

ALTER TABLE tickets ADD COLUMN asset_id INTEGER REFERENCES assets(id);
CREATE INDEX tickets_asset ON tickets(asset_id, id);

INSERT INTO permissions (role, resource, action) VALUES
    ('admin', 'customers', 'read'), ('manager', 'customers', 'read'), ('dispatcher', 'customers', 'read'),
    ('agent', 'customers', 'read'), ('engineer', 'customers', 'read'), ('warehouse', 'customers', 'read'),
    ('finance', 'customers', 'read'), ('customer', 'customers', 'read'),
    ('admin', 'customers', 'manage'), ('manager', 'customers', 'manage'),
    ('dispatcher', 'customers', 'manage'), ('agent', 'customers', 'manage'),
    ('admin', 'customers', 'import'), ('manager', 'customers', 'import'),
    ('admin', 'customers', 'export'), ('manager', 'customers', 'export'), ('finance', 'customers', 'export'),
    ('admin', 'assets', 'read'), ('manager', 'assets', 'read'), ('dispatcher', 'assets', 'read'),
    ('agent', 'assets', 'read'), ('engineer', 'assets', 'read'), ('warehouse', 'assets', 'read'),
    ('finance', 'assets', 'read'), ('customer', 'assets', 'read'),
    ('admin', 'assets', 'manage'), ('manager', 'assets', 'manage'),
    ('dispatcher', 'assets', 'manage'), ('agent', 'assets', 'manage'),
    ('admin', 'contracts', 'read'), ('manager', 'contracts', 'read'), ('dispatcher', 'contracts', 'read'),
    ('agent', 'contracts', 'read'), ('finance', 'contracts', 'read'),
    ('admin', 'contracts', 'manage'), ('manager', 'contracts', 'manage'), ('finance', 'contracts', 'manage');
