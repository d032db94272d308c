/* main.c: the tend binary: one program, several subcommands. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "modules/tickets/tickets.h"
#include "platform/db/db.h"

#ifndef TEND_VERSION
#define TEND_VERSION "dev"
#endif

static void
usage(FILE *out)
{
    fprintf(out,
            "tend %s: after-sales service management\n\n"
            "usage: tend COMMAND [options]\n\n"
            "commands:\n"
            "  serve     serve the web app and the API\n"
            "  migrate   create or upgrade the database schema\n"
            "  demo      load demo data (organisations, users of each role, tickets)\n"
            "  user      add users or reset passwords (tend user add|passwd)\n"
            "  token     create an API token for an integration (tend token add)\n"
            "  import    import organisations, contacts, sites or assets (tend import assets FILE.csv)\n"
            "  gen       generate benchmark data (tend gen tickets|assets --count N)\n"
            "  version   print the version\n\n"
            "Run `tend COMMAND --help` for a command's options.\n",
            TEND_VERSION);
}

int
main(int argc, char **argv)
{
    const char *cmd;

    if (sodium_init() < 0) {
        fprintf(stderr, "tend: cannot initialise libsodium\n");
        return 1;
    }
    db_add_commit_hook(tickets_search_flush);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("tend %s\n", TEND_VERSION);
        return 0;
    }
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate(argc - 2, argv + 2);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(argc - 2, argv + 2);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(argc - 2, argv + 2);
    if (strcmp(cmd, "gen") == 0)
        return cmd_gen(argc - 2, argv + 2);
    if (strcmp(cmd, "import") == 0)
        return cmd_import(argc - 2, argv + 2);
    if (strcmp(cmd, "token") == 0)
        return cmd_token(argc - 2, argv + 2);
    fprintf(stderr, "tend: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
