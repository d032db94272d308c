/* cmd_user.c: `tend user add` and `tend user passwd`. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "modules/users/users.h"
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
        {"db", "TEND_DB", "URL", "database: sqlite:PATH (default: sqlite:DATA_DIR/tend.db)", NULL},
        {"data-dir", "TEND_DATA_DIR", "DIR", "data directory", "data"},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char pwbuf[USER_PASSWORD_MAX + 8], hash[256];
    const char *username, *password, *name;
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
    if (user_hash_password(password, hash, sizeof(hash), &err)) {
        fprintf(stderr, "tend user add: %s\n", err.message);
        return 1;
    }
    if (open_db("add", defs, &db) != 0)
        return 1;
    name = options_get(defs, "name");
    if (users_store_add(db, username, name ? name : username, options_get(defs, "email"),
                        options_get(defs, "role"), hash, 0, time_now_ms(), &id, &err)) {
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
