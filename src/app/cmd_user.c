/* cmd_user.c: `tend user add` and `tend user passwd`. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "modules/auth/auth.h"
#include "modules/users/users.h"
#include "platform/db/events.h"
#include "options.h"
#include "platform/db/db.h"
#include "platform/db/migrate.h"
#include "platform/util/util.h"

/* The password from --password, or the first line of stdin with --password-stdin. */
static const char *
read_password(const char *command, const struct option_def *defs, char *buf, size_t buflen)
{
    const char *p = options_get(defs, "password");

    if (options_get(defs, "password-stdin")) {
        size_t len;
        if (!fgets(buf, (int)buflen, stdin)) {
            fprintf(stderr, "tend user %s: no password on standard input\n", command);
            return NULL;
        }
        len = strcspn(buf, "\r\n");
        buf[len] = '\0';
        return buf;
    }
    if (!p)
        fprintf(stderr, "tend user %s: give --password PASSWORD or --password-stdin\n", command);
    return p;
}

static int
open_db(const char *command, const struct option_def *defs, struct db **db)
{
    char url[1100];
    struct tend_err err;

    if (resolve_db(command, options_get(defs, "db"), options_get(defs, "data-dir"), url,
                   sizeof(url)) != 0)
        return -1;
    tend_err_clear(&err);
    if (db_open(url, DB_OPEN_CREATE, db, &err) || migrate_up(*db, NULL, &err)) {
        fprintf(stderr, "tend user %s: %s\n", command, err.message);
        db_close(*db);
        return -1;
    }
    return 0;
}

static int
user_add(int argc, char **argv)
{
    struct option_def defs[] = {
        {"username", NULL, "NAME", "login name (a-z, 0-9, . _ -)", NULL},
        {"name", NULL, "TEXT", "display name (default: the username)", NULL},
        {"email", NULL, "ADDRESS", "email address", NULL},
        {"role", NULL, "ROLES", "comma-separated roles: admin, manager, dispatcher, agent, "
                                "engineer, warehouse, finance, customer", "agent"},
        {"password", "TEND_PASSWORD", "PASSWORD", "the password (at least 10 characters)", NULL},
        {"password-stdin", NULL, NULL, "read the password from the first line of stdin", NULL},
        {"organisation-id", NULL, "N", "the customer organisation (required for customers)", NULL},
        {"db", "TEND_DB", "URL", "database: sqlite:PATH (default: sqlite:DATA_DIR/tend.db)", NULL},
        {"data-dir", "TEND_DATA_DIR", "DIR", "data directory", "data"},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char pwbuf[USER_PASSWORD_MAX + 8], hash[256];
    const char *username, *password, *name, *org;
    int64_t organisation_id = 0;
    struct db *db = NULL;
    struct tend_err err;
    int64_t id = 0;
    int rc = options_parse("user add", "Add a user who can sign in.", defs, argc, argv);

    if (rc)
        return rc > 0 ? 0 : 2;
    tend_err_clear(&err);
    username = options_get(defs, "username");
    if (!username) {
        fprintf(stderr, "tend user add: --username is required\n");
        return 2;
    }
    password = read_password("add", defs, pwbuf, sizeof(pwbuf));
    if (!password)
        return 2;
    if (user_check_username(username, &err) || user_check_roles(options_get(defs, "role"), &err) ||
        user_check_password(password, username, &err)) {
        fprintf(stderr, "tend user add: %s %s\n", err.field, err.message);
        return 1;
    }
    org = options_get(defs, "organisation-id");
    if (org && parse_int64(org, strlen(org), 1, INT64_MAX, &organisation_id) != 0) {
        fprintf(stderr, "tend user add: --organisation-id must be a number\n");
        return 2;
    }
    if ((user_roles_bits(options_get(defs, "role")) & ROLE_CUSTOMER) && !organisation_id) {
        fprintf(stderr, "tend user add: a customer needs --organisation-id\n");
        return 2;
    }
    if (user_hash_password(password, hash, sizeof(hash), &err)) {
        fprintf(stderr, "tend user add: %s\n", err.message);
        return 1;
    }
    if (open_db("add", defs, &db) != 0)
        return 1;
    name = options_get(defs, "name");
    if ((organisation_id && users_store_organisation_exists(db, organisation_id, &err)) ||
        users_store_add(db, username, name ? name : username, options_get(defs, "email"),
                        options_get(defs, "role"), hash, organisation_id, time_now_ms(), &id, &err)) {
        fprintf(stderr, "tend user add: %s\n", err.message);
        db_close(db);
        return 1;
    }
    db_close(db);
    printf("added user %s (id %lld, roles %s)\n", username, (long long)id, options_get(defs, "role"));
    return 0;
}

static int
user_passwd(int argc, char **argv)
{
    struct option_def defs[] = {
        {"username", NULL, "NAME", "whose password to set", NULL},
        {"password", "TEND_PASSWORD", "PASSWORD", "the new password (at least 10 characters)", NULL},
        {"password-stdin", NULL, NULL, "read the password from the first line of stdin", NULL},
        {"db", "TEND_DB", "URL", "database: sqlite:PATH (default: sqlite:DATA_DIR/tend.db)", NULL},
        {"data-dir", "TEND_DATA_DIR", "DIR", "data directory", "data"},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char pwbuf[USER_PASSWORD_MAX + 8], hash[256];
    const char *username, *password;
    struct db *db = NULL;
    struct tend_err err;
    int rc = options_parse("user passwd", "Set a user's password.", defs, argc, argv);

    if (rc)
        return rc > 0 ? 0 : 2;
    tend_err_clear(&err);
    username = options_get(defs, "username");
    if (!username) {
        fprintf(stderr, "tend user passwd: --username is required\n");
        return 2;
    }
    password = read_password("passwd", defs, pwbuf, sizeof(pwbuf));
    if (!password)
        return 2;
    if (user_check_password(password, username, &err) ||
        user_hash_password(password, hash, sizeof(hash), &err)) {
        fprintf(stderr, "tend user passwd: %s %s\n", err.field, err.message);
        return 1;
    }
    if (open_db("passwd", defs, &db) != 0)
        return 1;
    if (users_store_set_password(db, username, hash, time_now_ms(), &err)) {
        fprintf(stderr, "tend user passwd: %s\n", err.message);
        db_close(db);
        return 1;
    }
    db_close(db);
    printf("password changed for %s\n", username);
    return 0;
}

int
cmd_user(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "add") == 0)
        return user_add(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "passwd") == 0)
        return user_passwd(argc - 1, argv + 1);
    if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        printf("usage: tend user add|passwd [options]\n\n"
               "  add      add a user (tend user add --help)\n"
               "  passwd   set a user's password (tend user passwd --help)\n");
        return 0;
    }
    fprintf(stderr, "tend user: expected 'add' or 'passwd' (see tend user --help)\n");
    return 2;
}

int
cmd_token(int argc, char **argv)
{
    struct option_def defs[] = {
        {"username", NULL, "NAME", "the user the token acts as", NULL},
        {"name", NULL, "TEXT", "what the token is for (e.g. \"ERP sync\")", NULL},
        {"scopes", NULL, "LIST", "comma-separated resource:action scopes, or *", "*"},
        {"expires-days", NULL, "N", "days until the token expires (default: never)", NULL},
        {"db", "TEND_DB", "URL", "database: sqlite:PATH (default: sqlite:DATA_DIR/tend.db)", NULL},
        {"data-dir", "TEND_DATA_DIR", "DIR", "data directory", "data"},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char secret[AUTH_SECRET_MAX], hash[AUTH_HASH_HEX], prefix[16];
    const char *username, *name, *days;
    struct auth_policy policy = {0};
    struct db *db = NULL;
    struct user u;
    struct tend_err err;
    int64_t expires = 0, ndays, id = 0, now = time_now_ms();
    char scopes[512];
    json_t *list, *data;
    int rc;

    if (argc >= 1 && strcmp(argv[0], "add") == 0) {
        argc--;
        argv++;
    } else if (!(argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0))) {
        fprintf(stderr, "tend token: expected 'add' (see tend token add --help)\n");
        return 2;
    }
    rc = options_parse("token add",
                       "Create an API token; the secret is printed once on stdout and stored "
                       "only as a hash.",
                       defs, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    tend_err_clear(&err);
    username = options_get(defs, "username");
    name = options_get(defs, "name");
    if (!username || !name) {
        fprintf(stderr, "tend token add: --username and --name are required\n");
        return 2;
    }
    days = options_get(defs, "expires-days");
    if (days) {
        if (parse_int64(days, strlen(days), 1, 3650, &ndays) != 0) {
            fprintf(stderr, "tend token add: --expires-days must be 1 to 3650\n");
            return 2;
        }
        expires = now + ndays * 24 * 3600 * 1000;
    }
    if (open_db("token", defs, &db) != 0)
        return 1;
    list = json_array();
    {
        const char *p = options_get(defs, "scopes");
        while (p && *p) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            json_array_append_new(list, json_stringn(p, len));
            p = comma ? comma + 1 : NULL;
        }
    }
    rc = auth_store_load_policy(db, &policy, &err) ||
         auth_scopes_parse(list, &policy, scopes, sizeof(scopes), &err) ||
         users_store_get_by_username(db, username, &u, &err);
    json_decref(list);
    auth_policy_free(&policy);
    if (rc) {
        fprintf(stderr, "tend token add: %s %s\n", err.field, err.message);
        db_close(db);
        return 1;
    }
    auth_secret_new("tend_", secret, sizeof(secret));
    auth_secret_hash(secret, hash);
    strlcopy(prefix, secret, 13);
    data = json_pack("{s:s,s:s}", "name", name, "scopes", scopes);
    rc = db_begin(db, &err) ||
         auth_store_token_create(db, name, u.id, hash, prefix, scopes, 0, now, expires, &id, &err) ||
         event_append(db, "auth.token_created", "user", u.id, "cli", data, now, &err) ||
         db_commit(db, &err);
    json_decref(data);
    user_cleanup(&u);
    if (rc) {
        db_rollback(db);
        fprintf(stderr, "tend token add: %s\n", err.message);
        db_close(db);
        return 1;
    }
    db_close(db);
    fprintf(stderr, "token %lld for %s (scopes %s); keep the secret below, it is not shown again\n",
            (long long)id, username, scopes);
    printf("%s\n", secret);
    return 0;
}
