/* demo.c: demo organisations, contacts, one user per role, and tickets in every
 * status with their event history, written through the modules' own stores. */
#include "demo.h"
#include "demo_rules.h"

#include <stdio.h>
#include <string.h>

#include "demo_assets.h"
#include "modules/customers/customers.h"
#include "modules/sla/calendars_store.h"
#include "modules/sla/policies_store.h"
#include "modules/tickets/ticket_config.h"
#include "modules/tickets/tickets.h"
#include "modules/users/users.h"
#include "platform/util/util.h"

struct demo_org {
    const char *name, *tier, *region, *external_id, *contact, *email, *phone, *wechat_openid;
};

static const struct demo_org orgs[] = {
    {"华东精密制造有限公司", "vip", "east", "ACME-001", "王伟", "wang.wei@hd-precision.example",
     "+86 21 5555 0101", "oWx-demo-wangwei"},
    {"Northwind Hospital Group", "vip", "north", "NW-002", "Dr. Alice Moreau",
     "a.moreau@northwind.example", "+49 30 5555 0202", NULL},
    {"绿源充电科技", "standard", "south", "GS-003", "李娜", "li.na@greensource.example",
     "+86 755 5555 0303", "oWx-demo-lina"},
    {"Contoso Print Services", "standard", "west", "CP-004", "Bob Smith", "bob@contoso.example",
     "+1 206 555 0404", NULL},
};

struct demo_user {
    const char *username, *name, *roles;
};

static const struct demo_user users[] = {
    {"admin", "Ada Admin", "admin"},
    {"manager", "陈经理 (Service Manager)", "manager"},
    {"dispatcher", "Dana Dispatcher", "dispatcher"},
    {"agent", "张敏 (Agent)", "agent"},
    {"engineer", "Erik Engineer", "engineer"},
    {"warehouse", "Wu Warehouse", "warehouse"},
    {"finance", "Fiona Finance", "finance"},
    {"customer", "王伟 (Customer)", "customer"},
};

struct demo_ticket {
    const char *subject, *description, *priority, *status, *customer_ref;
};

static const struct demo_ticket tickets[] = {
    {"Printer jams on tray 2", "The MFP-4200 on floor 3 jams every ~20 sheets from tray 2.", "normal",
     "new", "CP-004"},
    {"空调机组高压报警", "3号楼屋顶的HVAC-900机组今早报高压故障，已停机。", "urgent", "open", "ACME-001"},
    {"EV charger offline since firmware update", "Charger EVC-22 #7 shows offline after v2.3.1.",
     "high", "open", "GS-003"},
    {"充电桩刷卡无反应", "停车场B区2号充电桩刷卡后无响应，屏幕正常。", "normal", "new", "GS-003"},
    {"Infusion pump calibration due", "Annual calibration for 12 pumps in ward 4.", "normal",
     "pending", "NW-002"},
    {"Ultrasound probe image artefacts", "Lines across the image on probe L12-5.", "high",
     "open", "NW-002"},
    {"设备安装预约", "新购的两台激光切割机需要安装调试，客户希望下周二上门。", "normal", "pending",
     "ACME-001"},
    {"Toner reorder for 40 printers", "Quarterly toner order per contract CP-2026-01.", "low",
     "resolved", "CP-004"},
    {"Refund request for duplicate invoice", "Invoice INV-2026-0311 was charged twice.", "normal",
     "new", "CP-004"},
    {"退款申请：重复收费", "客户反映维修费被重复扣款，请财务核实后退款。", "high", "new", "ACME-001"},
    {"MRI cooling alarm", "Helium compressor alarm on MRI unit 2, imaging suspended.", "urgent",
     "open", "NW-002"},
    {"Scanner feeder worn", "Document feeder rollers worn, misfeeds multi-page scans.", "low",
     "closed", "CP-004"},
    {"HVAC preventive maintenance Q4", "Quarterly filter change and coil cleaning.", "normal",
     "closed", "ACME-001"},
    {"充电桩屏幕碎裂", "户外充电桩屏幕被撞碎，需要更换显示模块。", "normal", "resolved", "GS-003"},
    {"Patient monitor battery swelling", "Battery of monitor PM-60 #14 is visibly swollen.",
     "urgent", "pending", "NW-002"},
    {"Consultation: extended warranty options", "Customer asks about 3-year extended warranty.",
     "low", "resolved", NULL},
    {"Complaint: engineer arrived late", "Engineer arrived 3 hours after the booked slot.", "high",
     "closed", "ACME-001"},
    {"Return (RMA) of faulty mainboard", "Mainboard from ticket SR-2026-000003 to be returned.",
     "normal", "open", "GS-003"},
};

static enum tend_rc
already_loaded(struct db *db, int *yes, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "SELECT COUNT(*) FROM organisations WHERE external_id = ?", err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, orgs[0].external_id);
    r = db_step(st, err);
    *yes = r == DB_ROW && db_col_int64(st, 0) > 0;
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

/* An organisation and its first contact, through the customers store (events,
 * look-up keys and all). */
static enum tend_rc
add_org(struct db *db, const struct demo_org *o, int64_t now, int64_t *id, struct tend_err *err)
{
    json_t *org = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{}}", "name", o->name, "tier", o->tier, "region", o->region,
                            "external_id", o->external_id, "notes", "", "custom");
    json_t *contact;
    int64_t contact_id;
    enum tend_rc rc = rec_store_insert(db, &organisation_kind, org, "demo", now, id, err);

    json_decref(org);
    if (rc)
        return rc;
    contact = json_pack("{s:I,s:s,s:s,s:s,s:o,s:n,s:n,s:{}}", "organisation_id", (json_int_t)*id, "name", o->contact,
                        "email", o->email, "phone", o->phone, "wechat_openid",
                        o->wechat_openid ? json_string(o->wechat_openid) : json_null(), "user_id", "external_id",
                        "custom");
    rc = rec_store_insert(db, &contact_kind, contact, "demo", now, &contact_id, err);
    json_decref(contact);
    return rc;
}

/* The ticket type a demo ticket gets, from its subject. */
static const char *
type_for(const char *subject)
{
    if (strncmp(subject, "Consultation", 12) == 0)
        return "consultation";
    if (strncmp(subject, "Complaint", 9) == 0)
        return "complaint";
    if (strncmp(subject, "Return (RMA)", 12) == 0)
        return "rma";
    if (strstr(subject, "安装"))
        return "installation";
    if (strstr(subject, "preventive maintenance"))
        return "maintenance";
    return "repair";
}

/* Walk a ticket from new to its demo status along its workflow, one recorded
 * transition per step. */
static enum tend_rc
walk_status(struct db *db, const struct ticket *t, const char *target, int64_t at,
            struct tend_err *err)
{
    static const struct {
        const char *workflow, *target;
        const char *steps[4];
    } paths[] = {
        {"repair", "open", {"in_progress", NULL}},
        {"repair", "pending", {"in_progress", "pending_customer", NULL}},
        {"repair", "resolved", {"in_progress", "resolved", NULL}},
        {"repair", "closed", {"in_progress", "resolved", "closed", NULL}},
        {"simple", "open", {"open", NULL}},
        {"simple", "pending", {"open", "pending", NULL}},
        {"simple", "resolved", {"open", "resolved", NULL}},
        {"simple", "closed", {"open", "resolved", "closed", NULL}},
        {"rma", "open", {"authorised", NULL}},
    };
    static const struct ticket_actor agent = {"agent", 0, ROLE_AGENT};
    const char *workflow = strcmp(t->type, "consultation") == 0 || strcmp(t->type, "complaint") == 0
                               ? "simple"
                           : strcmp(t->type, "rma") == 0 ? "rma"
                                                         : "repair";
    int64_t version = t->version;

    for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
        if (strcmp(paths[p].target, target) != 0 || strcmp(paths[p].workflow, workflow) != 0)
            continue;
        for (int i = 0; paths[p].steps[i]; i++) {
            struct ticket_input in;
            struct ticket out;
            enum tend_rc rc;

            memset(&in, 0, sizeof(in));
            in.fields = TF_STATUS | TF_VERSION;
            strlcopy(in.status, paths[p].steps[i], sizeof(in.status));
            if (strcmp(paths[p].steps[i], "resolved") == 0) {
                in.fields |= TF_RESOLUTION_CODE;
                in.resolution_code = (char *)"fixed";
            }
            in.version = version;
            rc = tickets_store_update(db, t->id, &in, NULL, &agent, at + (i + 1) * 3600000LL, &out,
                                      err);
            if (rc)
                return rc;
            version = out.version;
            ticket_cleanup(&out);
        }
    }
    return TEND_OK;
}

static const struct ticket_actor demo_agent = {"agent", 0, ROLE_AGENT};

/* Configuration a service desk starts with: teams, a category tree, fault
 * codes and a few custom fields, made through the configuration store as an
 * admin would through the API. */
static const char *const demo_config[] = {
    "{\"kind\":\"category\",\"name\":\"Printers\",\"skills\":[\"printers\"]}",
    "{\"kind\":\"category\",\"name\":\"Paper handling\",\"parent_id\":1,\"skills\":[\"printers\"]}",
    "{\"kind\":\"category\",\"name\":\"HVAC 暖通空调\",\"skills\":[\"hvac\",\"refrigerant\"]}",
    "{\"kind\":\"category\",\"name\":\"EV chargers 充电桩\",\"skills\":[\"electrical\"]}",
    "{\"kind\":\"category\",\"name\":\"Medical devices\",\"skills\":[\"medical\"]}",
    "{\"kind\":\"category\",\"name\":\"Billing 账务\"}",
    "{\"kind\":\"fault_code\",\"name\":\"Paper jam\",\"code\":\"E01\"}",
    "{\"kind\":\"fault_code\",\"name\":\"High pressure 高压报警\",\"code\":\"H12\"}",
    "{\"kind\":\"fault_code\",\"name\":\"Network offline\",\"code\":\"N03\"}",
    "{\"kind\":\"fault_code\",\"name\":\"Battery failure\",\"code\":\"B07\"}",
    NULL};

static const char *const demo_fields[] = {
    "{\"key\":\"serial_no\",\"label\":\"Serial number\",\"type\":\"text\",\"pattern\":\"^[A-Z0-9-]{4,40}$\","
    "\"ticket_types\":[\"repair\",\"installation\",\"maintenance\",\"rma\"],\"position\":1}",
    "{\"key\":\"downtime_hours\",\"label\":\"Downtime (hours)\",\"type\":\"number\",\"min\":0,\"position\":2}",
    "{\"key\":\"site_access\",\"label\":\"Site access\",\"type\":\"select\","
    "\"options\":[\"free\",\"escort\",\"permit\"],\"default\":\"free\",\"position\":3}",
    "{\"key\":\"visit_date\",\"label\":\"Preferred visit date\",\"type\":\"date\","
    "\"ticket_types\":[\"installation\",\"maintenance\"],\"position\":4}",
    "{\"key\":\"refund_amount\",\"label\":\"Refund amount\",\"type\":\"money\",\"currency\":\"CNY\","
    "\"min\":0,\"ticket_types\":[\"complaint\",\"consultation\"],\"position\":5}",
    NULL};

static enum tend_rc
add_config(struct db *db, int64_t now, int64_t *groups, struct tend_err *err)
{
    static const char *const group_names[] = {"Field service East 华东服务组", "Field service West",
                                              "Finance 财务", "Senior support"};
    enum tend_rc rc = TEND_OK;

    for (int i = 0; i < 4 && rc == TEND_OK; i++)
        rc = groups_store_save(db, 0, group_names[i], "", NULL, 0, now, &groups[i], err);
    for (int i = 0; demo_config[i] && rc == TEND_OK; i++) {
        json_t *body = json_loads(demo_config[i], 0, NULL), *out = NULL;
        rc = ticket_config_category_create(db, body, "admin", now, &out, err);
        json_decref(body);
        json_decref(out);
    }
    for (int i = 0; demo_fields[i] && rc == TEND_OK; i++) {
        json_t *body = json_loads(demo_fields[i], 0, NULL), *out = NULL;
        rc = ticket_config_field_create(db, body, "admin", now, &out, err);
        json_decref(body);
        json_decref(out);
    }
    return rc;
}

/* Business hours in Shanghai with the 2026 National Day arrangement, and three
 * SLA policies: VIP customers around the clock, urgent work around the clock,
 * everything else in business hours. */
static const char *const demo_calendar =
    "{\"name\":\"China office hours\",\"time_zone\":\"Asia/Shanghai\",\"week\":{"
    "\"mon\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],\"tue\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"
    "\"wed\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],\"thu\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"
    "\"fri\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]]},"
    "\"holidays\":[{\"date\":\"2026-10-01\",\"name\":\"国庆节\"},{\"date\":\"2026-10-02\",\"name\":\"国庆节\"},"
    "{\"date\":\"2026-10-05\",\"name\":\"国庆节\"},{\"date\":\"2026-10-06\",\"name\":\"国庆节\"},"
    "{\"date\":\"2026-10-07\",\"name\":\"国庆节\"},{\"date\":\"2026-12-31\",\"from\":\"15:00\",\"to\":\"24:00\","
    "\"name\":\"New Year's Eve\"}],"
    "\"working_days\":[{\"date\":\"2026-09-27\",\"name\":\"国庆节补班\"},{\"date\":\"2026-10-10\",\"name\":\"国庆节补班\"}]}";

static const char *const demo_policies[] = {
    "{\"name\":\"VIP customers\",\"calendar_id\":1,\"conditions\":{\"tier\":[\"vip\"]},"
    "\"targets\":{\"first_response\":30,\"next_response\":60,\"resolution\":480,\"on_site\":240},"
    "\"priority_targets\":{\"urgent\":{\"first_response\":15,\"resolution\":240}},\"warning_percent\":75,"
    "\"escalations\":[{\"percent\":100,\"notify\":[\"assignee\",\"group_lead\"]},"
    "{\"percent\":150,\"notify\":[\"managers\"],\"set_priority\":\"urgent\"}]}",
    "{\"name\":\"Urgent around the clock\",\"calendar_id\":1,\"conditions\":{\"priority\":[\"urgent\"]},"
    "\"targets\":{\"first_response\":30,\"next_response\":120,\"resolution\":480},"
    "\"escalations\":[{\"percent\":100,\"notify\":[\"assignee\",\"managers\"]}]}",
    "{\"name\":\"Standard business hours\",\"calendar_id\":%lld,"
    "\"targets\":{\"first_response\":240,\"next_response\":480,\"resolution\":2400},"
    "\"priority_targets\":{\"high\":{\"first_response\":120,\"resolution\":960}},"
    "\"escalations\":[{\"percent\":100,\"notify\":[\"assignee\",\"group_lead\"]}]}",
};

static enum tend_rc
add_sla(struct db *db, int64_t now, struct tend_err *err)
{
    json_t *body = json_loads(demo_calendar, 0, NULL), *out = NULL;
    enum tend_rc rc = calendars_store_create(db, body, "admin", now, &out, err);
    int64_t calendar = json_integer_value(json_object_get(out, "id"));

    json_decref(body);
    json_decref(out);
    for (size_t i = 0; i < sizeof(demo_policies) / sizeof(demo_policies[0]) && !rc; i++) {
        char text[1024];
        snprintf(text, sizeof(text), demo_policies[i], (long long)calendar);
        body = json_loads(text, 0, NULL);
        out = NULL;
        rc = sla_policies_create(db, 0, body, "admin", now, &out, err);
        json_decref(body);
        json_decref(out);
    }
    return rc;
}

enum tend_rc
demo_load(struct db *db, int *loaded, struct tend_err *err)
{
    int64_t now = time_now_ms(), start = now - 14LL * 24 * 3600 * 1000;
    enum tend_rc rc;
    int yes = 0;
    char hash[256];
    int64_t org_ids[sizeof(orgs) / sizeof(orgs[0])] = {0}, engineer_id = 0, groups[4] = {0};
    struct demo_assets assets;

    *loaded = 0;
    rc = already_loaded(db, &yes, err);
    if (rc || yes)
        return rc;
    rc = user_hash_password(DEMO_PASSWORD, hash, sizeof(hash), err);
    if (rc)
        return rc;
    rc = db_begin(db, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < sizeof(orgs) / sizeof(orgs[0]) && !rc; i++)
        rc = add_org(db, &orgs[i], start, &org_ids[i], err);
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]) && !rc; i++) {
        char email[128];
        int64_t id = 0;
        struct user existing;
        snprintf(email, sizeof(email), "%s@tend-demo.example", users[i].username);
        /* someone made that user by hand already: keep theirs (looked up first:
         * a failed insert would end a PostgreSQL transaction) */
        rc = users_store_get_by_username(db, users[i].username, &existing, err);
        if (rc == TEND_OK) {
            id = existing.id;
            user_cleanup(&existing);
        } else if (rc == TEND_ENOTFOUND) {
            rc = users_store_add(db, users[i].username, users[i].name, email, users[i].roles, hash,
                                 strcmp(users[i].roles, "customer") == 0 ? org_ids[0] : 0, start, &id,
                                 err);
        }
        if (strcmp(users[i].username, "engineer") == 0)
            engineer_id = id;
    }
    if (!rc)
        rc = add_config(db, start, groups, err);
    if (!rc)
        rc = demo_assets_load(db, org_ids, start, &assets, err);
    if (!rc)
        rc = add_sla(db, start, err);
    if (!rc) /* routing is the rules' work: refunds, VIP customers, regions */
        rc = demo_rules_load(db, groups, start, err);
    for (size_t i = 0; i < sizeof(tickets) / sizeof(tickets[0]) && !rc; i++) {
        const struct demo_ticket *d = &tickets[i];
        struct ticket_input in;
        struct ticket t;
        int64_t at = start + (int64_t)i * 17 * 3600 * 1000;

        memset(&in, 0, sizeof(in));
        in.subject = (char *)d->subject;
        in.description = (char *)d->description;
        in.customer_ref = (char *)d->customer_ref;
        strlcopy(in.priority, d->priority, sizeof(in.priority));
        strlcopy(in.type, type_for(d->subject), sizeof(in.type));
        strlcopy(in.channel, i % 4 == 0 ? "phone" : i % 4 == 1 ? "email" : i % 4 == 2 ? "portal" : "wechat",
                 sizeof(in.channel));
        for (size_t k = 0; d->customer_ref && k < sizeof(orgs) / sizeof(orgs[0]); k++)
            if (strcmp(orgs[k].external_id, d->customer_ref) == 0)
                in.organisation_id = org_ids[k];
        in.asset_id = demo_asset_for(&assets, d->subject);
        if (in.asset_id)
            in.fields |= TF_ASSET;
        /* field work in progress goes to the demo engineer */
        if (strcmp(d->status, "new") != 0 && i % 3 == 1)
            in.assignee_id = engineer_id;
        /* the demo rules route refunds, VIP customers and the regions' work
         * (demo_rules.c); what they leave goes to the field teams by turn */
        if (i % 3 == 0) {
            in.tags = json_pack("[s]", strcmp(d->priority, "urgent") == 0 ? "downtime" : "warranty");
            in.fields |= TF_TAGS;
        }
        rc = tickets_store_create(db, &in, &demo_agent, at, &t, err);
        json_decref(in.tags);
        if (rc == TEND_OK && !t.group_id)
            rc = demo_route_rest(db, &t, groups[i % 2 ? 1 : 0], at, err);
        if (rc)
            break;
        rc = walk_status(db, &t, d->status, at, err);
        ticket_cleanup(&t);
    }
    if (rc == TEND_OK) { /* the demo's history is not news: nobody is notified of it */
        struct db_stmt *st = db_prepare(
            db, "UPDATE notify_cursor SET last_event_id = (SELECT COALESCE(MAX(id), 0) FROM events) WHERE name = 'fanout'",
            err);
        rc = st ? db_run(st, err) : err->rc;
    }
    if (rc) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db, err);
    if (rc == TEND_OK)
        *loaded = 1;
    return rc;
}

void
demo_print_logins(int loaded)
{
    printf("%s\n", loaded ? "demo data loaded." : "demo data was already loaded.");
    printf("demo logins (password for all: %s):\n", DEMO_PASSWORD);
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
        printf("  %-11s %s\n", users[i].username, users[i].roles);
}
