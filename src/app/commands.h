/* commands.h: the tend subcommands, each taking the arguments after its name and
 * returning the process exit code (0 ok, 1 failure, 2 usage). */
#ifndef TEND_COMMANDS_H
#define TEND_COMMANDS_H

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_import(int argc, char **argv);

/* Work out the database URL from --db / --data-dir (default sqlite:DATA_DIR/tend.db),
 * creating the data directory if needed. Prints the reason and returns -1 on failure.
 * `out` gets the URL. */
int resolve_db(const char *command, const char *db, const char *data_dir, char *out, size_t outlen);

#endif
