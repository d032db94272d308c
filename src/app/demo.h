/* demo.h: realistic demo data for trying Tend out and for the browser tests. */
#ifndef TEND_DEMO_H
#define TEND_DEMO_H

#include "platform/db/db.h"

#define DEMO_PASSWORD "tend-demo-2026"

/* Load the demo set in one transaction, unless already there (*loaded = 0). */
enum tend_rc demo_load(struct db *db, int *loaded, struct tend_err *err);

/* Print the demo logins on stdout. */
void demo_print_logins(int loaded);

#endif
